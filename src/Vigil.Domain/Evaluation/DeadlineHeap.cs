namespace Vigil.Domain.Evaluation;

/// <summary>An indexed binary min-heap of obligations keyed by when they fall due. Each obligation is in it at
/// most once; moving one is O(log n) and leaves no stale entries behind.</summary>
internal sealed class DeadlineHeap
{
    private readonly List<Obligation> _items = [];

    public int Count => _items.Count;

    public Obligation? Peek() => _items.Count > 0 ? _items[0] : null;

    /// <summary>Inserts, moves or (with a null due) removes the obligation.</summary>
    public void Set(Obligation item, DateTimeOffset? due)
    {
        if (due is null)
        {
            Remove(item);
            return;
        }

        item.Due = due.Value;
        if (item.HeapIndex < 0)
        {
            item.HeapIndex = _items.Count;
            _items.Add(item);
            Up(item.HeapIndex);
        }
        else
        {
            Up(item.HeapIndex);
            Down(item.HeapIndex);
        }
    }

    public void Remove(Obligation item)
    {
        var index = item.HeapIndex;
        if (index < 0)
        {
            return;
        }

        var last = _items.Count - 1;
        Swap(index, last);
        _items.RemoveAt(last);
        item.HeapIndex = -1;
        if (index < _items.Count)
        {
            Up(index);
            Down(index);
        }
    }

    /// <summary>
    /// Every obligation due at or before <paramref name="instant"/>, without removing them. Visits only those
    /// and their direct children (a subtree whose root is later holds nothing earlier), so a blind span
    /// costs O(k) for k due obligations, never a scan of all of them.
    /// </summary>
    public List<Obligation> DueBy(DateTimeOffset instant)
    {
        var due = new List<Obligation>();
        var stack = new Stack<int>();
        if (_items.Count > 0)
        {
            stack.Push(0);
        }

        while (stack.Count > 0)
        {
            var i = stack.Pop();
            if (_items[i].Due > instant)
            {
                continue;
            }

            due.Add(_items[i]);
            var left = (2 * i) + 1;
            if (left < _items.Count) stack.Push(left);
            if (left + 1 < _items.Count) stack.Push(left + 1);
        }

        return due;
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
