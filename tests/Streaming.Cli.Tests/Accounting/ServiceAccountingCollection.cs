namespace Streaming.Cli.Tests.Accounting;

/// <summary>
/// The tests that run the service as a process against a live feed run alone, after the others. xunit runs the
/// continuations of every test on as many threads as the machine has cores (2 here); while two other tests held them
/// with long synchronous work (a training), this test process could not resume for 30 s, the feed stopped for that
/// long, and the service rightly expired its idle streams' windows: a failure of the test, not of the service.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServiceAccountingCollection
{
    public const string Name = "service accounting";
}
