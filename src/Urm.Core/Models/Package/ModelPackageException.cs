namespace Urm.Core.Models.Package;

/// <summary>
/// A model package that cannot be served. The message names the file, the problem and what to do, because
/// the reader is whoever uploaded the package, not whoever wrote this code.
/// </summary>
public sealed class ModelPackageException : Exception
{
    public ModelPackageException(string file, string problem, string remedy, Exception? inner = null)
        : base($"{file}: {problem}. {remedy}", inner)
    {
        File = file;
    }

    /// <summary>The file at fault (or the package directory).</summary>
    public string File { get; }
}
