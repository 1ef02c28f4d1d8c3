using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Autograd;

// Randomly generated cases (fixed seeds, so failures reproduce) checked against PyTorch in one oracle
// call per test: view chains (exact copies, atol 1e-6), reductions (atol 1e-5) and matmuls (atol 1e-5,
// rtol 1e-4). Each failure message carries the torch expression, which is enough to rebuild the case.
public class RandomizedOracleTests
{
    const int Cases = 60;

    static string Args(IEnumerable<int> values) => string.Join(", ", values);

    /// <summary>A torch expression and our equivalent, grown one view op at a time.</summary>
    sealed class Chain(int[] shape)
    {
        public int[] Shape { get; private set; } = shape;
        public string Expr { get; private set; } = "x0";
        public Func<Tensor, Tensor> Ours { get; private set; } = t => t;

        void Then(string torch, Func<Tensor, Tensor> ours, int[] shape)
        {
            var previous = Ours;
            Expr += torch;
            Ours = t => ours(previous(t));
            Shape = shape;
        }

        /// <summary>Appends one random view op valid for the current shape.</summary>
        public void Step(Random rng)
        {
            int rank = Shape.Length;
            var s = Shape;
            switch (rng.Next(9))
            {
                case 0 when rank > 0:
                {
                    var perm = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
                    Then($".permute({Args(perm)})", t => t.Permute(perm), [.. perm.Select(p => s[p])]);
                    break;
                }
                case 1 when rank > 0 && s.Any(d => d > 0):
                {
                    int dim = Enumerable.Range(0, rank).Where(d => s[d] > 0).OrderBy(_ => rng.Next()).First();
                    int length = rng.Next(1, s[dim] + 1);
                    int start = rng.Next(0, s[dim] - length + 1);
                    if (rng.Next(2) == 0) start -= s[dim];
                    var shape = (int[])s.Clone();
                    shape[dim] = length;
                    Then($".narrow({dim}, {start}, {length})", t => t.Narrow(dim, start, length), shape);
                    break;
                }
                case 2 when rank < 5:
                {
                    int dim = rng.Next(rank + 1);
                    var shape = s.ToList();
                    shape.Insert(dim, 1);
                    Then($".unsqueeze({dim})", t => t.Unsqueeze(dim), [.. shape]);
                    break;
                }
                case 3 when s.Contains(1):
                {
                    int dim = Array.IndexOf(s, 1);
                    Then($".squeeze({dim})", t => t.Squeeze(dim), [.. s.Where((_, i) => i != dim)]);
                    break;
                }
                case 4 when s.Contains(1) && Tensor.Numel(s) <= 64:
                {
                    var shape = s.Select(d => d == 1 && rng.Next(2) == 0 ? rng.Next(2, 4) : d).ToArray();
                    if (rank < 4 && rng.Next(2) == 0) shape = [2, .. shape];
                    Then($".expand({Args(shape)})", t => t.Expand(shape), shape);
                    break;
                }
                case 5 when rank > 0:
                {
                    int size = Tensor.Numel(s);
                    var divisors = Enumerable.Range(1, Math.Max(size, 1)).Where(d => size % d == 0).ToArray();
                    int first = divisors[rng.Next(divisors.Length)];
                    int[] shape = rng.Next(3) == 0 ? [-1] : [first, -1];
                    int[] result = shape.Length == 1 ? [size] : [first, size / first];
                    Then($".reshape({Args(shape)})", t => t.Reshape(shape), result);
                    break;
                }
                case 6 when rank > 0 && s.Any(d => d > 0):
                {
                    int dim = Enumerable.Range(0, rank).Where(d => s[d] > 0).OrderBy(_ => rng.Next()).First();
                    int index = rng.Next(s[dim]) - (rng.Next(2) == 0 ? s[dim] : 0);
                    Then($".select({dim}, {index})", t => t.Select(dim, index), [.. s.Where((_, i) => i != dim)]);
                    break;
                }
                case 7 when rank > 1:
                {
                    int a = rng.Next(rank), b = rng.Next(rank);
                    var shape = (int[])s.Clone();
                    (shape[a], shape[b]) = (shape[b], shape[a]);
                    Then($".transpose({a}, {b})", t => t.Transpose(a, b), shape);
                    break;
                }
                case 8:
                    Then(".contiguous()", t => t.Contiguous(), s);
                    break;
            }
        }
    }

    static int[] RandomShape(Random rng, int minRank, int maxRank, int maxDim) =>
        [.. Enumerable.Range(0, rng.Next(minRank, maxRank + 1)).Select(_ => rng.Next(1, maxDim + 1))];

    [Fact]
    public void RandomViewChains_MatchTorch_ForwardAndGradient()
    {
        var rng = new Random(20240601);
        var cases = new List<OpCase>();
        while (cases.Count < Cases)
        {
            var chain = new Chain(RandomShape(rng, 1, 4, 4));
            var input = Rand(chain.Shape);
            int steps = rng.Next(2, 7);
            for (int i = 0; i < steps; i++) chain.Step(rng);
            if (chain.Expr == "x0") continue;
            var ours = chain.Ours;
            // A final multiply makes every gradient element depend on where the view put it.
            var weight = Rand(chain.Shape, grad: false);
            cases.Add(new OpCase($"{chain.Expr} * x1", x => ours(x[0]) * x[1], [input, weight], 1e-6f, 1e-6f));
        }
        Against([.. cases]);
    }

    [Fact]
    public void RandomReductions_MatchTorch_ForwardAndGradient()
    {
        var rng = new Random(7);
        var cases = new List<OpCase>();
        for (int c = 0; c < Cases; c++)
        {
            var shape = RandomShape(rng, 1, 4, 5);
            int rank = shape.Length;
            // Optionally read the input through a permutation, so the reduction sees strided data.
            var perm = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
            bool permute = rng.Next(2) == 0;
            string x = permute ? $"x0.permute({Args(perm)})" : "x0";
            Func<Tensor, Tensor> view = permute ? t => t.Permute(perm) : t => t;
            var stored = permute ? perm.Select((_, i) => shape[Array.IndexOf(perm, i)]).ToArray() : shape;
            var dims = Enumerable.Range(0, rank).Where(_ => rng.Next(2) == 0).Select(d => rng.Next(2) == 0 ? d - rank : d).ToArray();
            if (dims.Length == 0) dims = [rng.Next(rank)];
            bool keep = rng.Next(2) == 0;
            string k = keep ? "True" : "False";
            int one = dims[0];
            cases.Add(rng.Next(5) switch
            {
                0 => new OpCase($"{x}.sum(({Args(dims)},), keepdim={k})", t => view(t[0]).Sum(dims, keep), [Rand(stored)], 1e-5f, 1e-5f),
                1 => new OpCase($"{x}.mean(({Args(dims)},), keepdim={k})", t => view(t[0]).Mean(dims, keep), [Rand(stored)], 1e-5f, 1e-5f),
                2 => new OpCase($"{x}.max({one}, keepdim={k}).values", t => view(t[0]).Max(one, keep), [Rand(stored)], 1e-6f, 1e-6f),
                3 => new OpCase($"{x}.min({one}, keepdim={k}).values", t => view(t[0]).Min(one, keep), [Rand(stored)], 1e-6f, 1e-6f),
                _ => new OpCase($"{x}.sum({one}, keepdim={k})", t => view(t[0]).Sum(one, keep), [Rand(stored)], 1e-5f, 1e-5f),
            });
        }
        Against([.. cases]);
    }

    [Fact]
    public void RandomMatMuls_MatchTorch_ForwardAndGradient()
    {
        var rng = new Random(99);
        var cases = new List<OpCase>();
        for (int c = 0; c < Cases; c++)
        {
            int m = rng.Next(1, 6), k = rng.Next(1, 6), n = rng.Next(1, 6);
            var batch = RandomShape(rng, 0, 3, 3);
            int[] BatchFor() =>
                [.. batch.Skip(rng.Next(batch.Length + 1)).Select(d => rng.Next(3) == 0 ? 1 : d)];
            var (left, leftExpr, leftOurs) = Operand(rng, rng.Next(5) == 0 ? [k] : [.. BatchFor(), m, k]);
            var (right, rightExpr, rightOurs) = Operand(rng, rng.Next(5) == 0 ? [k] : [.. BatchFor(), k, n]);
            cases.Add(new OpCase($"{leftExpr.Replace("x", "x0", StringComparison.Ordinal)} @ {rightExpr.Replace("x", "x1", StringComparison.Ordinal)}",
                x => leftOurs(x[0]).MatMul(rightOurs(x[1])), [left, right], 1e-5f, 1e-4f));
        }
        Against([.. cases]);
    }

    /// <summary>A matmul operand of the given shape, stored as is or transposed in its last two dims and viewed back.</summary>
    static (OracleInput Input, string Expr, Func<Tensor, Tensor> Ours) Operand(Random rng, int[] shape)
    {
        if (shape.Length < 2 || rng.Next(2) == 0) return (Rand(shape), "x", t => t);
        int[] stored = [.. shape[..^2], shape[^1], shape[^2]];
        return (Rand(stored), "x.transpose(-1, -2)", t => t.Transpose(-1, -2));
    }
}
