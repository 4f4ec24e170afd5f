// Each test starts its own server; the timeout and retry tests measure real time, which two tests at once on
// a 2-core machine would blur.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
