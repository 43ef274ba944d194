using System.Reflection;
using Urm.Core.Telemetry;

namespace Urm.Core.Tests.Telemetry;

/// <summary>Every metric the app records is documented (docs/OPERATIONS.md) and shown by the workbook (bicep/workbook/*.kql).</summary>
public sealed class MetricNamesTests
{
    public static TheoryData<string> Names() => new(typeof(UrmMetrics).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.GetValue(null) is string value && value.StartsWith("urm.", StringComparison.Ordinal))
        .Select(f => (string)f.GetValue(null)!));

    [Theory]
    [MemberData(nameof(Names))]
    public void The_metric_has_a_row_in_the_operations_doc(string name)
    {
        var doc = File.ReadAllLines(Path.Combine(Repository.Root(), "docs", "OPERATIONS.md"));
        Assert.Contains(doc, line => line.StartsWith($"| `{name}` |", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_workbook_query_reads_the_metric(string name)
    {
        var queries = Directory.GetFiles(Path.Combine(Repository.Root(), "bicep", "workbook"), "*.kql").Select(File.ReadAllText);
        Assert.Contains(queries, q => q.Contains($"\"{name}\"", StringComparison.Ordinal));
    }
}
