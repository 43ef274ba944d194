using System.Net.Sockets;

namespace Urm.Azure.Tests.Servers;

/// <summary>
/// Where the test servers listen: the Cosmos DB stand-in (<c>@vercel/cosmosdb-server</c>, HTTPS) and Azurite's
/// blob and queue services, all on 127.0.0.1, started by <c>./test.sh</c> (the README's test command) or
/// <c>infra/local/start.sh</c>. A test that needs one fails, not skips, when it is not there: a skipped adapter
/// test would look like a pass.
/// </summary>
public static class TestServers
{
    public const string CosmosPortVariable = "URM_COSMOS_PORT";
    public const string AzuritePortVariable = "URM_AZURITE_BLOB_PORT";
    public const string AzuriteQueuePortVariable = "URM_AZURITE_QUEUE_PORT";

    public static int CosmosPort => Port(CosmosPortVariable, 8081);

    public static int AzuriteBlobPort => Port(AzuritePortVariable, 10000);

    // 10001 is the port UseDevelopmentStorage=true implies for queues.
    public static int AzuriteQueuePort => Port(AzuriteQueuePortVariable, 10001);

    /// <exception cref="InvalidOperationException">Nothing answers on the stand-in's port.</exception>
    public static Uri RequireCosmos()
    {
        Require("The Cosmos DB stand-in (@vercel/cosmosdb-server)", CosmosPort, CosmosPortVariable);
        return new Uri($"https://127.0.0.1:{CosmosPort}/");
    }

    /// <exception cref="InvalidOperationException">Nothing answers on Azurite's blob port.</exception>
    public static Uri RequireAzuriteBlob()
    {
        Require("Azurite's blob service", AzuriteBlobPort, AzuritePortVariable);
        return new Uri($"http://127.0.0.1:{AzuriteBlobPort}/devstoreaccount1");
    }

    /// <exception cref="InvalidOperationException">Nothing answers on Azurite's queue port.</exception>
    public static Uri RequireAzuriteQueue()
    {
        Require("Azurite's queue service", AzuriteQueuePort, AzuriteQueuePortVariable);
        return new Uri($"http://127.0.0.1:{AzuriteQueuePort}/devstoreaccount1");
    }

    private static void Require(string server, int port, string variable)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            var connect = socket.ConnectAsync("127.0.0.1", port);
            if (connect.Wait(TimeSpan.FromSeconds(3)) && socket.Connected) return;
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
        }
        throw new InvalidOperationException(
            $"{server} is not answering on 127.0.0.1:{port}. Start the test servers with infra/local/start.sh " +
            $"(infra/local/stop.sh stops them), or run ./test.sh, which starts them around the tests; set {variable} if it listens on another port.");
    }

    private static int Port(string variable, int fallback)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        return int.TryParse(value, out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"{variable} is '{value}'; set it to the port number the server listens on.");
    }
}
