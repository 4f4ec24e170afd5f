namespace Vigil.Server.Http;

/// <summary>Collects field errors while a request is read, so one answer names every problem.</summary>
internal sealed class RequestErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>How many problems were found so far.</summary>
    public int Count => _errors.Values.Sum(list => list.Count);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            list = [];
            _errors[field] = list;
        }

        list.Add(message);
    }

    public IResult ToProblem() => Problems.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
