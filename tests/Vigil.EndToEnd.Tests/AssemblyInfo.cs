// The tests start real servers and measure real graces: run them one at a time so timing stays honest on a
// 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
