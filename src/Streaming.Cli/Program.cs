using System.CommandLine;
using Spectre.Console;
using Streaming.Cli.Commands;

// Redirected output (a log file, CI) has no terminal width; tables would wrap at Spectre's fallback of 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

var root = new RootCommand("streaming: real-time human-action recognition and long-term action anticipation over Kafka streams.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(PublishCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(BrokerCommand.Create());
root.Subcommands.Add(LmCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
try
{
    // SIGTERM and Ctrl+C cancel a command's token; `run` then drains for up to its drain timeout (at most 600 s), which the
    // default 2 s termination timeout would cut short.
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromMinutes(11) });
}
catch (Exception e) when (Environment.GetEnvironmentVariable("STREAMING_DEBUG") is not "1")
{
    // Commands throw with messages written for the user (what is wrong and what to do); the stack helps only us.
    Console.Error.WriteLine($"streaming: {e.Message}");
    Console.Error.WriteLine("(set STREAMING_DEBUG=1 for the stack trace)");
    return 1;
}
