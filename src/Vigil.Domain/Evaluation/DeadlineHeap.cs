namespace Vigil.Domain.Evaluation;

/// <summary>An indexed binary min-heap of checks keyed by their earliest deadline. Each check is in it at
/// most once; changing a check's deadline is O(log n) and leaves no stale entries behind.</summary>
internal sealed class DeadlineHeap
{
    private readonly List<CheckEntry> _items = [];

    public int Count => _items.Count;

    public CheckEntry? Peek() => _items.Count > 0 ? _items[0] : null;

    /// <summary>Inserts, moves or (with a null due) removes the entry.</summary>
    public void Set(CheckEntry entry, DateTimeOffset? due)
    {
        if (due is null)
        {
            Remove(entry);
            return;
        }

        entry.Due = due.Value;
        if (entry.HeapIndex < 0)
        {
            entry.HeapIndex = _items.Count;
            _items.Add(entry);
            Up(entry.HeapIndex);
        }
        else
        {
            Up(entry.HeapIndex);
            Down(entry.HeapIndex);
        }
    }

    public void Remove(CheckEntry entry)
    {
        var index = entry.HeapIndex;
        if (index < 0)
        {
            return;
        }

        var last = _items.Count - 1;
        Swap(index, last);
        _items.RemoveAt(last);
        entry.HeapIndex = -1;
        if (index < _items.Count)
        {
            Up(index);
            Down(index);
        }
    }

    private void Up(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (_items[parent].Due <= _items[i].Due)
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void Down(int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= _items.Count)
            {
                return;
            }

            var smallest = left + 1 < _items.Count && _items[left + 1].Due < _items[left].Due ? left + 1 : left;
            if (_items[i].Due <= _items[smallest].Due)
            {
                return;
            }

            Swap(i, smallest);
            i = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        if (a == b)
        {
            return;
        }

        (_items[a], _items[b]) = (_items[b], _items[a]);
        _items[a].HeapIndex = a;
        _items[b].HeapIndex = b;
    }
}
