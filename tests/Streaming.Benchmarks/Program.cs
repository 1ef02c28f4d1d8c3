using BenchmarkDotNet.Running;

// BenchmarkDotNet entry point: `dotnet run -c Release --project tests/Streaming.Benchmarks -- --filter '*'`.
// `streaming bench engine` prints the same figures against peers in one run; this project gives
// BenchmarkDotNet's statistics and allocation diagnostics for the kernels.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
