using System.Globalization;
using System.Text;

namespace Streaming.Tensors.IO;

/// <summary>
/// Reads NumPy .npy files (format versions 1.0, 2.0 and 3.0) into float32 tensors. The layout:
/// <code>
/// "\x93NUMPY" major minor    magic and version (1 byte each)
/// header length              u16 little-endian in 1.0, u32 in 2.0 and 3.0
/// header                     a Python dict literal, latin-1 (UTF-8 in 3.0), space-padded, ending in '\n':
///                            {'descr': '&lt;f4', 'fortran_order': False, 'shape': (2048, 11679), }
/// data                       Count elements, C (row-major) or Fortran (column-major) order
/// </code>
/// Little-endian float16, float32 and float64 are read (converted to float32; float64 rounds to nearest); anything else,
/// object arrays included, is a <see cref="NpyFormatException"/>. Fortran-order data is returned in C order.
/// </summary>
public static class NpyFile
{
    static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the header alone (a few hundred bytes whatever the array's size).</summary>
    public static NpyHeader ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>Reads the whole array as float32, in C order, with the file's shape.</summary>
    public static Tensor Load(string path)
    {
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        var (dtype, size) = Element(header.DType, path);
        long needed = header.Count * size, present = stream.Length - header.DataOffset;
        if (present < needed)
            throw new NpyFormatException(path, $"truncated: {present} bytes of data where shape ({string.Join(", ", header.Shape)}) of {header.DType} needs {needed}.");
        if (present > needed)
            throw new NpyFormatException(path, $"{present - needed} bytes follow the array's data (shape ({string.Join(", ", header.Shape)}) of {header.DType}).");
        if (header.Count > Array.MaxLength)
            throw new NpyFormatException(path, $"{header.Count} elements are more than one tensor holds ({Array.MaxLength}).");

        var values = new float[header.Count];
        var chunk = new byte[Math.Min(needed, 1 << 20) / size * size];
        for (int done = 0; done < values.Length;)
        {
            int n = Math.Min(values.Length - done, chunk.Length / size);
            stream.ReadExactly(chunk, 0, n * size);
            ElementConversion.Decode(dtype, chunk.AsSpan(0, n * size), values.AsSpan(done, n));
            done += n;
        }
        return Tensor.FromArray(header.FortranOrder ? FortranToC(values, header.Shape) : values, header.Shape);
    }

    static NpyHeader ReadHeader(Stream stream, string path)
    {
        Span<byte> preamble = stackalloc byte[12];
        int got = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
        if (got < 10 || !preamble[..6].SequenceEqual(Magic))
            throw new NpyFormatException(path, "not a .npy file (it does not start with \"\\x93NUMPY\").");
        int major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
            throw new NpyFormatException(path, $".npy format version {major}.{minor} is not supported (1.0, 2.0, 3.0).");
        long length = major == 1 ? BitConverter.ToUInt16(preamble[8..10]) : got < 12 ? -1 : BitConverter.ToUInt32(preamble[8..12]);
        int headerStart = major == 1 ? 10 : 12;
        if (length < 0 || headerStart + length > stream.Length)
            throw new NpyFormatException(path, "truncated: the file ends inside the header.");
        var bytes = new byte[length];
        stream.Position = headerStart;
        stream.ReadExactly(bytes);
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes);
        var dict = new HeaderParser(text, path).Dictionary();
        var expected = new[] { "descr", "fortran_order", "shape" };
        if (!dict.Keys.Order(StringComparer.Ordinal).SequenceEqual(expected))
            throw new NpyFormatException(path, $"the header's keys are {string.Join(", ", dict.Keys.Order(StringComparer.Ordinal))}, not descr, fortran_order, shape: {text.Trim()}");
        if (dict["descr"] is not string descr)
            throw new NpyFormatException(path, $"structured dtypes are not supported: {text.Trim()}");
        Element(descr, path);
        if (dict["fortran_order"] is not bool fortran) throw new NpyFormatException(path, $"fortran_order is not True or False: {text.Trim()}");
        if (dict["shape"] is not int[] shape) throw new NpyFormatException(path, $"shape is not a tuple of integers: {text.Trim()}");
        return new NpyHeader(major, minor, descr, fortran, shape, headerStart + length);
    }

    /// <summary>The dtype's element decoder and size: little-endian floats only.</summary>
    static (SafeTensorsDType DType, int Size) Element(string descr, string path) => descr switch
    {
        "<f2" => (SafeTensorsDType.F16, 2),
        "<f4" => (SafeTensorsDType.F32, 4),
        "<f8" => (SafeTensorsDType.F64, 8),
        _ when descr.Length > 1 && descr[1] == 'O' => throw new NpyFormatException(path,
            $"object arrays (dtype '{descr}') are not supported: save a numeric array, e.g. np.save(path, x.astype(np.float32))."),
        _ when descr.StartsWith('>') && descr.Length > 1 && descr[1] == 'f' => throw new NpyFormatException(path,
            $"big-endian dtype '{descr}' is not supported: save little-endian data, e.g. x.astype('<f4')."),
        _ => throw new NpyFormatException(path, $"dtype '{descr}' is not supported (<f2, <f4, <f8)."),
    };

    /// <summary>Column-major values of <paramref name="shape"/> -> row-major: walk C order, keep the Fortran offset.</summary>
    static float[] FortranToC(float[] fortran, int[] shape)
    {
        var c = new float[fortran.Length];
        var fortranStride = new long[shape.Length];        // element (i0, i1, ...) sits at sum_k i_k * prod_{j<k} shape_j
        for (int k = 0, s = 1; k < shape.Length; s *= shape[k], k++) fortranStride[k] = s;
        var index = new int[shape.Length];
        long offset = 0;
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = fortran[offset];
            for (int k = shape.Length - 1; k >= 0; k--)       // odometer over the C index, last axis fastest
            {
                if (++index[k] < shape[k]) { offset += fortranStride[k]; break; }
                offset -= (long)(shape[k] - 1) * fortranStride[k];
                index[k] = 0;
            }
        }
        return c;
    }

    /// <summary>A list-valued descr, e.g. [('x', '&lt;f4'), ('y', '&lt;f4')]: read only to be refused.</summary>
    sealed record StructuredDType(string Text);

    /// <summary>
    /// The header's Python literal: a dict of string keys whose values are strings, True/False, tuples of integers
    /// (Python 2 files may write 3L), or a list (a structured dtype).
    /// </summary>
    sealed class HeaderParser(string text, string path)
    {
        int at;

        public Dictionary<string, object> Dictionary()
        {
            var dict = new Dictionary<string, object>(StringComparer.Ordinal);
            Expect('{');
            while (Peek() != '}')
            {
                var key = String();
                Expect(':');
                dict[key] = Value();
                if (Peek() == ',') at++;
                else if (Peek() != '}') throw Invalid("',' or '}'");
            }
            at++;
            return dict;
        }

        object Value()
        {
            switch (Peek())
            {
                case '\'' or '"': return String();
                case '(': return Tuple();
                case '[': return new StructuredDType(Skip('[', ']'));
                default:
                    if (Take("True")) return true;
                    if (Take("False")) return false;
                    throw Invalid("a string, True, False or a tuple");
            }
        }

        int[] Tuple()
        {
            var values = new List<int>();
            Expect('(');
            while (Peek() != ')')
            {
                int start = at;
                while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
                if (!int.TryParse(text.AsSpan(start, at - start), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
                    throw Invalid("a non-negative dimension below 2^31");
                if (at < text.Length && text[at] == 'L') at++;
                values.Add(value);
                if (Peek() == ',') at++;
                else if (Peek() != ')') throw Invalid("',' or ')'");
            }
            at++;
            return [.. values];
        }

        string String()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Invalid("a quoted string");
            int end = text.IndexOf(quote, at + 1);
            if (end < 0) throw Invalid("the closing quote");
            var value = text[(at + 1)..end];
            at = end + 1;
            return value;
        }

        /// <summary>Skips a bracketed literal (nested), returning its text.</summary>
        string Skip(char open, char close)
        {
            int start = at, depth = 0;
            do
            {
                if (at >= text.Length) throw Invalid($"'{close}'");
                if (text[at] == open) depth++;
                else if (text[at] == close) depth--;
                at++;
            } while (depth > 0);
            return text[start..at];
        }

        bool Take(string word)
        {
            if (string.CompareOrdinal(text, at, word, 0, word.Length) != 0) return false;
            at += word.Length;
            return true;
        }

        void Expect(char c)
        {
            if (Peek() != c) throw Invalid($"'{c}'");
            at++;
        }

        char Peek()
        {
            while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
            return at < text.Length ? text[at] : '\0';
        }

        NpyFormatException Invalid(string expected) =>
            new(path, $"the header is not a valid .npy dict: expected {expected} at character {at}: {text.Trim()}");
    }
}
