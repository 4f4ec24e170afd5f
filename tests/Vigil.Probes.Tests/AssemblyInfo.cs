// Probe tests start real servers and child processes and some measure real time (timeouts): run the classes
// one after another so two of them never compete for the two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
