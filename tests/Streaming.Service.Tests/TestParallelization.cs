// The test classes of this assembly run one after another. Each builds a service, and every service's OpenTelemetry
// exporter listens to the meters of its name ("Streaming.Pipeline", "Streaming.Kafka") in the whole process: with two
// services at once, one host's scrape showed the other's dead letters and lacked its own pipeline series
// (StreamingHostTests failed so in two CI runs on a loaded machine). One service per process is also how it runs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
