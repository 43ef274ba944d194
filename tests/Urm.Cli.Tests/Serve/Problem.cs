using System.Net;
using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

/// <summary>Posting raw bodies and reading problem+json answers.</summary>
internal static class Problem
{
    public static async Task<(HttpStatusCode Status, string? MediaType, string Body)> PostAsync(HttpClient client, string body, string contentType = "application/json", string path = "/api/recommend")
    {
        using var content = new StringContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync(path, content);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Asserts a 400 problem+json whose detail is a non-empty sentence, and returns the document.</summary>
    public static JsonElement AssertBadRequest((HttpStatusCode Status, string? MediaType, string Body) answer, string because)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{because}: expected 400, got {(int)answer.Status}: {answer.Body}");
        Assert.Equal("application/problem+json", answer.MediaType);
        var problem = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), because);
        Assert.DoesNotContain("System.", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", answer.Body, StringComparison.Ordinal);
        return problem;
    }
}
