using System.CommandLine;
using System.Diagnostics;
using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Models;
using Urm.Core.Retrieval;
using Urm.Core.Serving;

namespace Urm.Cli.Commands;

/// <summary>
/// `urm bench recommend`: in-process recommendation latency on one thread, split into the model
/// (user.onnx) and the retrieval scan, over catalogs of generated cards of the model's card size.
/// </summary>
public static class BenchRecommendCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "A model directory (fusion.onnx, user.onnx, manifest.json).", Required = true };
        var items = new Option<string>("--items") { Description = "Catalog sizes, comma-separated.", DefaultValueFactory = _ => "10000,100000" };
        var history = new Option<int>("--history") { Description = "History length of each request.", DefaultValueFactory = _ => 50 };
        var requests = new Option<int>("--requests") { Description = "Measured requests per catalog size.", DefaultValueFactory = _ => 500 };
        var command = new Command("recommend", "p50/p99 latency of one recommendation, model and retrieval apart, and throughput.") { model, items, history, requests };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
            RunAsync(parse.GetValue(model)!.FullName, parse.GetValue(items)!, parse.GetValue(history), parse.GetValue(requests), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(string modelDir, string sizes, int historyLength, int requestCount, CancellationToken cancellationToken)
    {
        var catalogSizes = sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var n) && n > 0 ? n : throw new ArgumentException($"--items takes positive whole numbers separated by commas, not '{s}'."))
            .ToList();
        // One thread everywhere: the figure is the cost of one request, not of the machine.
        var session = new EncoderSessionOptions(IntraOpThreads: 1);
        using var package = ModelPackage.Load(modelDir, session);
        using var text = TextEncoder.Load(new TextEncoderOptions(Session: session));
        var serving = ServingModel.Create(package, text);
        var dCard = package.Sizes.DCard;
        Console.WriteLine($"urm bench recommend: model {package.Version} (dCard {dCard}, M {package.Sizes.M}, L {package.Sizes.L}), history {historyLength}, {requestCount} requests per size, 1 thread, {package.Provider}");
        Console.WriteLine();
        Console.WriteLine("| items | model p50 ms | model p99 ms | retrieval p50 ms | retrieval p99 ms | request p50 ms | request p99 ms | requests/s |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

        foreach (var n in catalogSizes)
        {
            var random = new Random(n);
            var snapshot = GeneratedSnapshot(n, dCard, package.Version, random);
            var service = new RecommendationService(serving, new FixedSnapshot(snapshot));
            var requests = Enumerable.Range(0, requestCount + 20).Select(_ => new RecommendRequest(
                null,
                Enumerable.Range(0, historyLength).Select(_ => new HistoryEvent(snapshot.Matrix.Ids[random.Next(n)], "view", null)).ToList(),
                null, null, null, null, null, 10, null)).ToList();

            var prompt = serving.Prompts.Encode(RecommendTasks.Default);
            var model = new List<double>();
            var retrieval = new List<double>();
            var whole = new List<double>();
            var clock = new Stopwatch();
            for (var i = 0; i < requests.Count; i++)
            {
                var history = requests[i].History!.Select(h => snapshot.Matrix.TryGetRow(h.ItemId, out var row) ? new HistoryEntry(snapshot.Matrix.Row(row).ToArray(), EventType.View) : null!).ToList();
                clock.Restart();
                var vectors = serving.Users.Encode(new UserSequence(prompt, history), cancellationToken);
                var modelMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                SetRetriever.TopK(snapshot.Matrix, vectors, 40);
                var retrievalMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                await service.RecommendAsync(requests[i], cancellationToken);
                var wholeMs = clock.Elapsed.TotalMilliseconds;
                if (i < 20) continue; // warm-up
                model.Add(modelMs);
                retrieval.Add(retrievalMs);
                whole.Add(wholeMs);
            }
            Console.WriteLine($"| {n:N0} | {P(model, 50):F2} | {P(model, 99):F2} | {P(retrieval, 50):F2} | {P(retrieval, 99):F2} | {P(whole, 50):F2} | {P(whole, 99):F2} | {1000 / whole.Average():F0} |");
        }
        Console.WriteLine();
        Console.WriteLine("model = user.onnx on the prompt and history; retrieval = the exact max-inner-product scan for the top 40 (k = 10 with over-fetch); request = RecommendationService end to end (validation, history lookup, prompt, model, scan, rules, reasons).");
    }

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }

    private static CardSnapshot GeneratedSnapshot(int n, int dCard, string modelVersion, Random random)
    {
        var ids = new string[n];
        var vectors = new float[n * dCard];
        var documents = new CardDocument[n];
        for (var i = 0; i < n; i++)
        {
            ids[i] = $"item-{i:D7}";
            var row = vectors.AsSpan(i * dCard, dCard);
            for (var j = 0; j < dCard; j++) row[j] = (float)(random.NextDouble() * 2 - 1);
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            for (var j = 0; j < dCard; j++) row[j] /= norm;
            documents[i] = new CardDocument(ids[i], $"Item {i}", null, $"Department {i % 20}", null, 10 + i % 90, true, "", modelVersion, row.ToArray(), DateTimeOffset.UnixEpoch, false);
        }
        return new CardSnapshot(new CardMatrix(ids, vectors, dCard), documents, 1, modelVersion);
    }

    private sealed class FixedSnapshot(CardSnapshot snapshot) : ICardSnapshotSource
    {
        public ValueTask<CardSnapshot> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(snapshot);
    }
}
