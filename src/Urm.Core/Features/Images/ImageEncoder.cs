using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Urm.Core.Features.Onnx;
using Urm.Core.Pretrained;

namespace Urm.Core.Features.Images;

/// <summary>
/// ResNet18 image vectors (512-d global average pool) from ML.NET's DnnImageFeaturizer package.
/// Its preprocessing graph takes planar RGB floats in 0–255, shape [1, 3, 224, 224], reorders them to
/// BGR and subtracts a per-pixel mean image (Caffe style, no scaling); that is done while copying each
/// image into the batch (<see cref="ResNetPreprocessing"/>). The ResNet graph maps the result to
/// [1, 512, 1, 1]. It fixes the batch at 1; it is loaded with a symbolic batch dimension
/// instead (<see cref="SymbolicBatchDimension"/>), and images run through it in batches of
/// <see cref="ImageEncoderOptions.BatchSize"/>: one run over many images uses the cores far better than
/// many runs of one. <see cref="ImageEncoderOptions.ConcurrentBatches"/> batches are read, decoded and run
/// at once (ONNX Runtime sessions take concurrent runs), each run on its share of the cores.
/// With <see cref="ImagePrecision.Int8"/> the ResNet graph is converted to int8 convolutions at load
/// (<see cref="ResNetInt8Ranges.Quantise"/>) before the batch dimension is made symbolic.
/// </summary>
public sealed class ImageEncoder : IImageEncoder, IDisposable
{
    public const int ModelDimension = 512;
    public const int Side = 224;

    private readonly IImageSource _source;
    private readonly ImageEncoderOptions _options;
    private readonly ResNetPreprocessing _preprocess;
    private readonly InferenceSession _resnet;
    private readonly string[] _resnetInput, _resnetOutput;

    public ImageEncoder(IImageSource source, string resnetPath, string preprocessPath, ImageEncoderOptions? options = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = options ?? ImageEncoderOptions.Default;
        if (_options.MaxConcurrency < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxConcurrency must be at least 1.");
        if (_options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        if (_options.ConcurrentBatches < 1) throw new ArgumentOutOfRangeException(nameof(options), "ConcurrentBatches must be at least 1.");
        foreach (var path in new[] { resnetPath, preprocessPath })
            if (!File.Exists(path))
                throw new FileNotFoundException($"The ResNet18 image encoder was not found at '{path}'. It is copied there at build time from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package: rebuild the project.", path);

        // Left to ONNX Runtime (0), each run would use every core while other batches run beside it;
        // with several batches in flight the cores are shared among them instead.
        var session = _options.SessionOrDefault;
        if (session.IntraOpThreads == 0 && _options.ConcurrentBatches > 1)
            session = session with { IntraOpThreads = Math.Max(1, Environment.ProcessorCount / _options.ConcurrentBatches) };
        _preprocess = ResNetPreprocessing.Load(File.ReadAllBytes(preprocessPath));
        var resnet = File.ReadAllBytes(resnetPath);
        if (_options.Precision == ImagePrecision.Int8) resnet = (_options.Int8Ranges ?? ResNetInt8Ranges.Shipped).Quantise(resnet);
        _resnet = EncoderSession.Create(SymbolicBatchDimension.Apply(resnet), session, out var provider);
        Precision = _options.Precision;
        Provider = provider;
        _resnetInput = [Single(_resnet.InputMetadata, "ResNet input")];
        _resnetOutput = [Single(_resnet.OutputMetadata, "ResNet output")];
        if (_resnet.OutputMetadata[_resnetOutput[0]].Dimensions.Aggregate(1L, (a, d) => a * Math.Abs(d)) != ModelDimension)
            throw new InvalidDataException($"The ResNet output '{_resnetOutput[0]}' does not hold {ModelDimension} values.");
    }

    /// <summary>The package's two graphs from the build's pretrained folder.</summary>
    public static ImageEncoder Load(IImageSource source, ImageEncoderOptions? options = null)
        => new(source, PretrainedPaths.ResNet18Model, PretrainedPaths.ResNet18Preprocess, options);

    public int Dimension => ModelDimension;

    public ExecutionProvider Provider { get; }

    public ImagePrecision Precision { get; }

    public async Task<ImageEncoding[]> EncodeAsync(IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(references);
        var results = new ImageEncoding[references.Count];
        // Too few images for ConcurrentBatches full batches: smaller ones, so that no worker (and core) idles.
        var batchSize = Math.Clamp((references.Count + _options.ConcurrentBatches - 1) / _options.ConcurrentBatches, 1, _options.BatchSize);
        var starts = Enumerable.Range(0, (references.Count + batchSize - 1) / batchSize).Select(b => b * batchSize);
        // ConcurrentBatches batches at once, each read, decoded and run by its own worker: while one batch
        // decodes, another runs, so neither the model nor the decoder waits for the other. At most
        // ConcurrentBatches × BatchSize decoded images (600 KB each) are held at once.
        var batches = new ParallelOptions { MaxDegreeOfParallelism = _options.ConcurrentBatches, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(starts, batches, async (start, ct) =>
        {
            var count = Math.Min(batchSize, references.Count - start);
            var pixels = new float[]?[count];
            var reads = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = ct };
            await Parallel.ForEachAsync(Enumerable.Range(0, count), reads, async (k, readCt) =>
            {
                (pixels[k], var problem) = await ReadAsync(references[start + k], readCt).ConfigureAwait(false);
                if (problem is not null) results[start + k] = new ImageEncoding(null, problem);
            }).ConfigureAwait(false);
            var decoded = Enumerable.Range(0, count).Where(k => pixels[k] is not null).ToArray();
            if (decoded.Length == 0) return;
            // Outside the reads' error handling: a failing model is a broken deployment, not a bad image.
            var vectors = Run(decoded.Select(k => pixels[k]!).ToArray());
            for (var v = 0; v < decoded.Length; v++) results[start + decoded[v]] = new ImageEncoding(vectors[v], null);
        }).ConfigureAwait(false);
        return results;
    }

    public async Task<ImageEncoding> EncodeAsync(string reference, CancellationToken cancellationToken) => (await EncodeAsync([reference], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Preprocesses and runs ResNet18 on planar RGB pixels in 0–255, [3, 224, 224].</summary>
    public float[] Run(float[] pixels) => Run([pixels])[0];

    /// <summary>Preprocesses several images, each planar RGB pixels in 0–255, [3, 224, 224], and runs ResNet18 once over them.</summary>
    public float[][] Run(IReadOnlyList<float[]> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        const int size = 3 * Side * Side;
        if (images.Count == 0) return [];
        var batch = new float[images.Count * size];
        for (var i = 0; i < images.Count; i++)
        {
            if (images[i]?.Length != size) throw new ArgumentException($"Image {i}: expected {size} planar RGB values.", nameof(images));
            Preprocess(images[i], batch.AsSpan(i * size, size));
        }
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [images.Count, 3, Side, Side]);
        using var runOptions = new RunOptions();
        using var pooled = _resnet.Run(runOptions, _resnetInput, [input], _resnetOutput);
        var output = pooled[0].GetTensorDataAsSpan<float>();
        var vectors = new float[images.Count][];
        for (var i = 0; i < vectors.Length; i++) vectors[i] = output.Slice(i * ModelDimension, ModelDimension).ToArray();
        return vectors;
    }

    /// <summary>Planar RGB pixels in 0–255, [3, 224, 224], as ResNet18 takes them (planar BGR minus the mean image).</summary>
    public void Preprocess(float[] pixels, Span<float> target) => _preprocess.Apply(pixels, target);

    public void Dispose() => _resnet.Dispose();

    /// <summary>One image read and decoded to planar RGB pixels in 0–255, [3, 224, 224], or the problem that prevented it.</summary>
    public async Task<(float[]? Pixels, ImageProblem? Problem)> ReadAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            if (string.IsNullOrWhiteSpace(reference)) return (null, new ImageProblem(reference ?? "", "The image reference is empty."));
            byte[] bytes;
            await using (var stream = await _source.OpenAsync(reference, cancellationToken).ConfigureAwait(false))
                bytes = await BoundedRead.ReadAllAsync(stream, _options.MaxBytes, reference, cancellationToken).ConfigureAwait(false);
            return (Decode(bytes, reference), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return (null, new ImageProblem(reference, Describe(e)));
        }
    }

    private float[] Decode(byte[] bytes, string reference)
    {
        var info = Image.Identify(bytes)
            ?? throw new ImageSourceException($"'{reference}' is not an image in a known format (JPEG, PNG, GIF, BMP, TGA, WebP, TIFF, PBM).");
        if ((long)info.Width * info.Height > _options.MaxPixels)
            throw new ImageSourceException($"'{reference}' is {info.Width}×{info.Height} pixels, more than the {_options.MaxPixels:N0}-pixel limit.");

        using var image = Image.Load<Rgba32>(bytes);
        // The shorter side is scaled to 224 and the centre cropped, as ML.NET's ResizeImages(IsoCrop)
        // fed this model; transparent product shots are laid on white, the usual shop background.
        image.Mutate(x => x
            .AutoOrient()
            .Resize(new ResizeOptions { Size = new Size(Side, Side), Mode = ResizeMode.Crop, Position = AnchorPositionMode.Center })
            .BackgroundColor(Color.White));
        var pixels = new float[3 * Side * Side];
        const int plane = Side * Side;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var at = y * Side + x;
                    pixels[at] = row[x].R;
                    pixels[plane + at] = row[x].G;
                    pixels[2 * plane + at] = row[x].B;
                }
            }
        });
        return pixels;
    }

    private static string Describe(Exception e) => e switch
    {
        ImageSourceException or TimeoutException => e.Message,
        FileNotFoundException or DirectoryNotFoundException => $"Not found: {e.Message}",
        UnauthorizedAccessException => $"Not readable: {e.Message}",
        UnknownImageFormatException => "Not an image in a known format.",
        InvalidImageContentException or ImageFormatException => $"The image data is damaged: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static string Single(IReadOnlyDictionary<string, NodeMetadata> nodes, string what)
        => nodes.Count == 1 ? nodes.Keys.First() : throw new InvalidDataException($"Expected one {what}, found {nodes.Count}.");
}
