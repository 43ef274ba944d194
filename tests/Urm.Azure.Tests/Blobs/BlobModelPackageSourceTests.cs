using Azure.Storage.Blobs;
using Urm.Azure.Blobs;
using Urm.Azure.Tests.Servers;
using Urm.Core.Models.Package;

namespace Urm.Azure.Tests.Blobs;

/// <summary>Model packages from Azurite: pointer, download, checksums.</summary>
public sealed class BlobModelPackageSourceTests : IAsyncLifetime
{
    private readonly string _local = Directory.CreateTempSubdirectory("urm-models-").FullName;
    private BlobServiceClient _blobs = null!;
    private BlobContainerClient _models = null!;

    public async Task InitializeAsync()
    {
        _blobs = AzuriteBlobs.Client();
        _models = await AzuriteBlobs.NewContainerAsync(_blobs, "models");
    }

    public async Task DisposeAsync()
    {
        await _models.DeleteIfExistsAsync();
        try { Directory.Delete(_local, recursive: true); } catch (IOException) { }
    }

    private BlobModelPackageSource Source() => new(_blobs, new BlobModelPackageSourceOptions(_models.Name, _local));

    private async Task UploadAsync(string version, Action<Dictionary<string, byte[]>>? change = null)
    {
        var files = new Dictionary<string, byte[]>(ModelPackageFixture.Files(version));
        change?.Invoke(files);
        foreach (var (name, bytes) in files)
            await _models.GetBlobClient($"{version}/{name}").UploadAsync(new BinaryData(bytes), overwrite: true);
    }

    private Task PointAsync(string json) => _models.GetBlobClient(ModelPointer.BlobName).UploadAsync(BinaryData.FromString(json), overwrite: true);

    [Fact]
    public async Task The_pointed_package_is_downloaded_checked_and_reused_while_intact()
    {
        await UploadAsync("v1");
        await UploadAsync("v2");
        await PointAsync("""{"version": "v2"}""");
        var source = Source();

        var package = await source.DownloadActiveAsync(default);

        Assert.NotNull(package);
        Assert.Equal(("v2", Path.Combine(_local, "v2"), 4, false), (package.Version, package.Directory, package.Files, package.Reused));
        Assert.Equal("v2", package.Manifest.Version);
        Assert.Equal(ModelPackageFixture.Files("v2")["user.onnx"], await File.ReadAllBytesAsync(Path.Combine(package.Directory, "user.onnx")));
        Assert.True(File.Exists(Path.Combine(package.Directory, "parity", "user", "user_vectors.npy")));
        Assert.Equal(["v2"], Directory.GetFileSystemEntries(_local).Select(Path.GetFileName));

        var again = await source.DownloadActiveAsync(default);
        Assert.True(again!.Reused);

        // A local copy damaged since is not trusted: it is downloaded again.
        await File.AppendAllTextAsync(Path.Combine(package.Directory, "fusion.onnx"), "x");
        var repaired = await source.DownloadAsync("v2", default);
        Assert.False(repaired.Reused);
        Assert.Equal(ModelPackageFixture.Files("v2")["fusion.onnx"], await File.ReadAllBytesAsync(Path.Combine(repaired.Directory, "fusion.onnx")));
    }

    [Fact]
    public async Task A_graph_whose_bytes_differ_from_the_manifest_checksum_is_refused_naming_the_blob_and_nothing_is_left_behind()
    {
        await UploadAsync("v1", files => files["user.onnx"] = [.. files["user.onnx"].Take(5)]);
        await PointAsync("""{"version": "v1"}""");

        var error = await Assert.ThrowsAsync<ModelPackageException>(() => Source().DownloadActiveAsync(default));

        Assert.Equal($"{_models.Name}/v1/user.onnx", error.File);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains("onnx.user.sha256", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_local));
    }

    [Fact]
    public async Task No_pointer_means_no_model_yet()
    {
        await UploadAsync("v1");

        Assert.Null(await Source().ReadActiveVersionAsync(default));
        Assert.Null(await Source().DownloadActiveAsync(default));
    }

    [Fact]
    public async Task A_pointer_naming_a_missing_version_is_refused_naming_the_folder()
    {
        await UploadAsync("v1");
        await PointAsync("""{"version": "v9"}""");

        var error = await Assert.ThrowsAsync<ModelPackageException>(() => Source().DownloadActiveAsync(default));

        Assert.Equal($"{_models.Name}/v9/", error.File);
        Assert.Contains("names version 'v9', but the folder holds no files", error.Message, StringComparison.Ordinal);
        Assert.Contains("before writing the pointer", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_local));
    }

    [Theory]
    [InlineData("""{"version": ""}""")]
    [InlineData("""{"version": "../other"}""")]
    [InlineData("""{"v": "v1"}""")]
    [InlineData("v1")]
    public async Task A_pointer_that_is_not_a_version_object_says_what_it_must_be(string json)
    {
        await PointAsync(json);

        var error = await Assert.ThrowsAsync<FormatException>(() => Source().DownloadActiveAsync(default));

        Assert.Contains("{\"version\": \"<version>\"}", error.Message, StringComparison.Ordinal);
    }
}
