using Microsoft.ML.OnnxRuntime;
using Urm.Core.Features.Onnx;
using Urm.Core.Pretrained;

namespace Urm.Core.Features.Images;

/// <summary>
/// Measures the ranges <see cref="ResNetInt8Ranges"/> holds: the fp32 ResNet18 runs over each calibration
/// image with every tensor the int8 form quantises exposed as an output, and each tensor's smallest and
/// extreme quantiles over all images are kept (<see cref="Quantile"/>). Images are read, decoded and preprocessed exactly as
/// <see cref="ImageEncoder"/> does.
/// </summary>
public static class ResNetCalibration
{
    /// <summary>
    /// The upper quantile kept (and 1 − it, the lower): rarer values are clipped to it. Measured on 31 held-out photos and
    /// 192 generated product pictures with the shipped form (docs/BENCHMARKS.md, "int8 ResNet18"): the plain minimum and
    /// maximum gave mean cosines to fp32 of 0.9959 and 0.9937 (the worst picture 0.978), 0.9999 gave 0.9936 and 0.9942,
    /// 0.99999 gives 0.9961 and 0.9958 (the worst 0.990).
    /// </summary>
    public const double Quantile = 0.99999;

    /// <summary>Values of each tensor kept per image (evenly strided), for the quantiles: 16 KB per tensor and image held.</summary>
    private const int SampledValuesPerImage = 4096;

    /// <param name="quantile">The upper quantile kept, <see cref="Quantile"/> unless another is being measured; 1 keeps the plain minimum and maximum.</param>
    /// <returns>The ranges, and the images that could not be read (they are left out).</returns>
    public static async Task<(ResNetInt8Ranges Ranges, IReadOnlyList<ImageProblem> Problems)> MeasureAsync(
        IImageSource source, IReadOnlyList<string> references, string sourceDescription, CancellationToken cancellationToken,
        string? resnetPath = null, string? preprocessPath = null, double quantile = Quantile)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (quantile is not (> 0.5 and <= 1)) throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The upper quantile is above 0.5 and at most 1.");
        resnetPath ??= PretrainedPaths.ResNet18Model;
        preprocessPath ??= PretrainedPaths.ResNet18Preprocess;
        using var reader = new ImageEncoder(source, resnetPath, preprocessPath, new ImageEncoderOptions(BatchSize: 1));
        var model = await File.ReadAllBytesAsync(resnetPath, cancellationToken).ConfigureAwait(false);
        var names = StaticConvQuantization.ActivationNames(model);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(StaticConvQuantization.WithActivationOutputs(model), options);
        var input = session.InputMetadata.Keys.Single();
        var outputs = names.Where(n => n != input).ToArray();
        var samples = names.ToDictionary(n => n, _ => new List<float>(), StringComparer.Ordinal);
        var problems = new List<ImageProblem>();
        var measured = 0;
        var batch = new float[3 * ImageEncoder.Side * ImageEncoder.Side];
        using var runOptions = new RunOptions();
        foreach (var reference in references)
        {
            var (pixels, problem) = await reader.ReadAsync(reference, cancellationToken).ConfigureAwait(false);
            if (pixels is null)
            {
                problems.Add(problem!);
                continue;
            }
            reader.Preprocess(pixels, batch);
            Sample(input, batch);
            using var value = OrtValue.CreateTensorValueFromMemory(batch, [1, 3, ImageEncoder.Side, ImageEncoder.Side]);
            using var results = session.Run(runOptions, [input], [value], outputs);
            for (var o = 0; o < outputs.Length; o++) Sample(outputs[o], results[o].GetTensorDataAsSpan<float>());
            measured++;
        }
        if (measured == 0) throw new InvalidDataException("No calibration image could be read.");
        var ranges = names.ToDictionary(n => n, n =>
        {
            var values = samples[n].ToArray();
            Array.Sort(values);
            return new ActivationRange(values[(int)Math.Floor((1 - quantile) * (values.Length - 1))], values[(int)Math.Ceiling(quantile * (values.Length - 1))]);
        }, StringComparer.Ordinal);
        return (new ResNetInt8Ranges(ResNetInt8Ranges.Sha256(model), measured, sourceDescription, ranges), problems);

        void Sample(string name, ReadOnlySpan<float> values)
        {
            var stride = Math.Max(1, values.Length / SampledValuesPerImage);
            for (var i = 0; i < values.Length; i += stride) samples[name].Add(values[i]);
        }
    }
}
