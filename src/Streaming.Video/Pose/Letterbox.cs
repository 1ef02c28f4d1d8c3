namespace Streaming.Video.Pose;

/// <summary>
/// A frame scaled by <see cref="Scale"/> (aspect kept) and centred in the model input with <see cref="PadX"/> and
/// <see cref="PadY"/> pixels of padding: input = frame * Scale + pad.
/// </summary>
public readonly record struct Letterbox(float Scale, float PadX, float PadY)
{
    public static Letterbox Fit(int frameWidth, int frameHeight, int inputWidth, int inputHeight)
    {
        var scale = Math.Min((float)inputWidth / frameWidth, (float)inputHeight / frameHeight);
        return new Letterbox(scale, (inputWidth - frameWidth * scale) / 2, (inputHeight - frameHeight * scale) / 2);
    }

    public float FrameX(float inputX) => (inputX - PadX) / Scale;

    public float FrameY(float inputY) => (inputY - PadY) / Scale;

    /// <summary>
    /// Writes the letterboxed frame, bilinearly sampled at pixel centres, into <paramref name="target"/> as
    /// <c>[H, W, 3]</c> or <c>[3, H, W]</c> values in 0..255 (padding 0).
    /// </summary>
    public void Draw(Imaging.RgbImage frame, Span<float> target, int inputWidth, int inputHeight, bool channelsFirst)
    {
        target.Clear();
        var pixels = frame.Pixels;
        var plane = inputWidth * inputHeight;
        // The columns' sampling is the same on every row: worked out once.
        var columns = new Sample?[inputWidth];
        for (var x = 0; x < inputWidth; x++) columns[x] = Sample.At(FrameX(x + 0.5f) - 0.5f, frame.Width);
        for (var y = 0; y < inputHeight; y++)
        {
            if (Sample.At(FrameY(y + 0.5f) - 0.5f, frame.Height) is not { } row) continue;
            for (var x = 0; x < inputWidth; x++)
            {
                if (columns[x] is not { } column) continue;
                for (var c = 0; c < 3; c++)
                {
                    float p00 = pixels[(row.I0 * frame.Width + column.I0) * 3 + c], p01 = pixels[(row.I0 * frame.Width + column.I1) * 3 + c];
                    float p10 = pixels[(row.I1 * frame.Width + column.I0) * 3 + c], p11 = pixels[(row.I1 * frame.Width + column.I1) * 3 + c];
                    var value = (p00 * (1 - column.W) + p01 * column.W) * (1 - row.W) + (p10 * (1 - column.W) + p11 * column.W) * row.W;
                    target[channelsFirst ? c * plane + y * inputWidth + x : (y * inputWidth + x) * 3 + c] = value;
                }
            }
        }
    }

    /// <summary>Bilinear sampling along one axis: the two neighbours and the second's weight; null outside the frame (padding).</summary>
    readonly record struct Sample(int I0, int I1, float W)
    {
        public static Sample? At(float f, int size)
        {
            if (f < -0.5f || f > size - 0.5f) return null;
            f = Math.Clamp(f, 0, size - 1);
            var i0 = (int)f;
            return new Sample(i0, Math.Min(i0 + 1, size - 1), f - i0);
        }
    }
}
