namespace Vigil.Testing;

/// <summary>Waits on real time for a condition, failing with a message that says what was awaited.</summary>
internal static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(25);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (await condition().ConfigureAwait(false))
            {
                return;
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#}s waiting for {what}");
            }

            await Task.Delay(every ?? DefaultEvery).ConfigureAwait(false);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? every = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, every);

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, timeout ?? DefaultTimeout, what);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout ?? DefaultTimeout, what);
}
