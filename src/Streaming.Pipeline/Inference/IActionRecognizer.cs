namespace Streaming.Pipeline.Inference;

/// <summary>A skeleton model that recognizes actions: the ones it can name, which an anticipator behind it must know.</summary>
public interface IActionRecognizer : IActionModel
{
    IReadOnlyList<string> Actions { get; }
}
