using System.CommandLine;
using Urm.Core.Features.Images;

namespace Urm.Cli.Commands;

/// <summary>`urm calibrate-images`: measures the activation ranges ResNet18's int8 form is built with (shipped in Urm.Core).</summary>
public static class CalibrateImagesCommand
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"];

    public static Command Create()
    {
        var folders = new Option<DirectoryInfo[]>("--images") { Description = "Folders of calibration photos (every image file directly inside; repeat for more folders).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--out") { Description = "The ranges file to write (src/Urm.Core/Features/Images/resnet18-int8-ranges.json is the shipped one).", Required = true };
        var source = new Option<string?>("--source") { Description = "Where the photos came from, recorded in the file (default: the folders)." };
        var command = new Command("calibrate-images", "Measure the value ranges of ResNet18's activations over calibration photos, for --image-precision int8.")
        {
            folders, output, source,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var dirs = parse.GetValue(folders)!;
            var files = ImageFiles(dirs);
            Console.Error.WriteLine($"Measuring ResNet18's activation ranges over {files.Length:N0} images...");
            var (ranges, problems) = await ResNetCalibration.MeasureAsync(new LocalImageSource(), files,
                parse.GetValue(source) ?? string.Join(", ", dirs.Select(d => d.FullName)), cancellationToken);
            var file = parse.GetValue(output)!;
            await using (var stream = File.Create(file.FullName)) ranges.Write(stream);
            Console.WriteLine($"{ranges.Images:N0} images measured, {ranges.Ranges.Count} tensors; written to {file.FullName}");
            foreach (var problem in problems) Console.WriteLine($"  skipped {problem.Reference}: {problem.Reason}");
        }));
        return command;
    }

    /// <summary>The image files directly inside the folders, by full path in ordinal order; a missing folder or none found is an error.</summary>
    public static string[] ImageFiles(DirectoryInfo[] folders)
    {
        foreach (var dir in folders.Where(d => !d.Exists)) throw new DirectoryNotFoundException($"The image folder '{dir.FullName}' does not exist.");
        var files = folders.SelectMany(d => d.EnumerateFiles().Where(f => Extensions.Contains(f.Extension.ToLowerInvariant())))
            .Select(f => f.FullName).Order(StringComparer.Ordinal).ToArray();
        return files.Length > 0 ? files : throw new InvalidDataException($"No image files ({string.Join(", ", Extensions)}) in {string.Join(", ", folders.Select(d => d.FullName))}.");
    }
}
