namespace Urm.Cli.Commands;

/// <summary>
/// Runs a command body and turns the errors a user can fix (bad input, missing files) into one clear
/// line and exit code 1, rather than a stack trace.
/// </summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
        catch (Exception error) when (error is Core.Catalog.InvalidCatalogException or Core.Events.InvalidEventsException or Core.Models.Package.ModelPackageException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return 1;
        }
    }
}
