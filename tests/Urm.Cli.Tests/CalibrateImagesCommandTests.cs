using System.Text.Json;
using Urm.Offline.Samples;

namespace Urm.Cli.Tests;

public class CalibrateImagesCommandTests
{
    [Fact]
    public async Task Calibration_over_a_folder_writes_a_ranges_file_for_every_quantised_tensor()
    {
        var folder = Directory.CreateTempSubdirectory("urm-calibrate").FullName;
        foreach (var item in SampleCatalog.Generate(3, seed: 2))
            await SampleImages.SaveAsync(item, Path.Combine(folder, "pictures", Path.GetFileName(item.Image!)), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(folder, "pictures", "notes.txt"), "not an image, not read");
        var output = Path.Combine(folder, "ranges.json");

        var (exitCode, stdout, errors) = await CliRun.InvokeAsync("calibrate-images", "--images", Path.Combine(folder, "pictures"), "--out", output, "--source", "three sample pictures");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("3 images measured, 32 tensors", stdout);
        var ranges = JsonDocument.Parse(File.ReadAllText(output)).RootElement;
        Assert.Equal("three sample pictures", ranges.GetProperty("source").GetString());
        Assert.Equal(32, ranges.GetProperty("ranges").EnumerateObject().Count());
    }

    [Fact]
    public async Task A_missing_folder_is_an_error_that_names_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "urm-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var (exitCode, _, errors) = await CliRun.InvokeAsync("calibrate-images", "--images", missing, "--out", Path.Combine(Path.GetTempPath(), "unused.json"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(missing, errors);
    }
}
