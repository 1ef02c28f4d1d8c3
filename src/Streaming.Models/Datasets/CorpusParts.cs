namespace Streaming.Models.Datasets;

/// <summary>The parts of the base language model's corpus (`streaming train lm --corpus`).</summary>
[Flags]
public enum CorpusParts
{
    None = 0,
    Sequences = 1,          // the frame-label datasets' action sequences (50 Salads), one document per video: what ActionLLM reads
    Names = 2,              // the skeleton datasets' action names, one per line
    Descriptions = 4,       // "name: what the person does", one line per skeleton action
    Instructions = 8,       // LLM-AR's instruction line and one answer, per skeleton action
    All = Sequences | Names | Descriptions | Instructions,
}
