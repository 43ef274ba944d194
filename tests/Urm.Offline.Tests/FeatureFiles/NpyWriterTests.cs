using System.Diagnostics;
using Urm.Offline.FeatureFiles;

namespace Urm.Offline.Tests.FeatureFiles;

public class NpyWriterTests
{
    [Fact]
    public void Numpy_reads_back_streamed_float_rows_and_a_byte_mask()
    {
        var dir = Directory.CreateTempSubdirectory("npy").FullName;
        var floats = Path.Combine(dir, "text.npy");
        var mask = Path.Combine(dir, "mask.npy");
        using (var writer = NpyWriter.Float32(floats, 3))
        using (var maskWriter = NpyWriter.UInt8(mask))
        {
            for (var i = 0; i < 1000; i++)
            {
                writer.WriteRow([i, -i / 4f, 1e-7f * i]);
                maskWriter.WriteRow((byte)(i % 2));
            }
        }

        var output = RunNumpy($"""
            import numpy as np
            a = np.load('{floats}'); m = np.load('{mask}')
            assert a.dtype == np.float32 and a.shape == (1000, 3) and a.flags['C_CONTIGUOUS'], (a.dtype, a.shape)
            assert m.dtype == np.uint8 and m.shape == (1000,)
            i = np.arange(1000, dtype=np.float32)
            assert np.array_equal(a[:, 0], i) and np.array_equal(a[:, 1], -i / 4) and np.allclose(a[:, 2], 1e-7 * i)
            assert np.array_equal(m, (np.arange(1000) % 2).astype(np.uint8))
            print('ok', a.shape)
            """);
        Assert.Contains("ok (1000, 3)", output);
    }

    [Fact]
    public void An_empty_file_is_a_valid_zero_row_array()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("npy").FullName, "empty.npy");
        using (NpyWriter.Float32(path, 384)) { }

        Assert.Contains("(0, 384)", RunNumpy($"import numpy as np; print(np.load('{path}').shape)"));
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_refused()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("npy").FullName, "bad.npy");
        using var writer = NpyWriter.Float32(path, 4);
        Assert.Throws<ArgumentException>(() => writer.WriteRow([1f, 2f]));
    }

    private static string RunNumpy(string script)
    {
        // Debian's python3 with numpy is what the trainer uses: the file must load there.
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", script.Replace("\r", "")])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"numpy could not read the file: {stderr}");
        return stdout;
    }
}
