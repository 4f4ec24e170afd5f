// Each test runs the vigil CLI as child processes against its own in-process server; one at a time keeps
// signal timing honest on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
