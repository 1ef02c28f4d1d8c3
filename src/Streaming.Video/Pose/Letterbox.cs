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
        for (var y = 0; y < inputHeight; y++)
        {
            var fy = FrameY(y + 0.5f) - 0.5f;
            if (fy < -0.5f || fy > frame.Height - 0.5f) continue;
            fy = Math.Clamp(fy, 0, frame.Height - 1);
            var y0 = (int)fy;
            var y1 = Math.Min(y0 + 1, frame.Height - 1);
            var wy = fy - y0;
            for (var x = 0; x < inputWidth; x++)
            {
                var fx = FrameX(x + 0.5f) - 0.5f;
                if (fx < -0.5f || fx > frame.Width - 0.5f) continue;
                fx = Math.Clamp(fx, 0, frame.Width - 1);
                var x0 = (int)fx;
                var x1 = Math.Min(x0 + 1, frame.Width - 1);
                var wx = fx - x0;
                for (var c = 0; c < 3; c++)
                {
                    float p00 = pixels[(y0 * frame.Width + x0) * 3 + c], p01 = pixels[(y0 * frame.Width + x1) * 3 + c];
                    float p10 = pixels[(y1 * frame.Width + x0) * 3 + c], p11 = pixels[(y1 * frame.Width + x1) * 3 + c];
                    var value = (p00 * (1 - wx) + p01 * wx) * (1 - wy) + (p10 * (1 - wx) + p11 * wx) * wy;
                    target[channelsFirst ? c * plane + y * inputWidth + x : (y * inputWidth + x) * 3 + c] = value;
                }
            }
        }
    }
}
