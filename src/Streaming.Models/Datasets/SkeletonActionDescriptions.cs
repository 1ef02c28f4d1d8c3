namespace Streaming.Models.Datasets;

/// <summary>
/// A plain-English description of each action of the skeleton datasets, keyed by the name the dataset's
/// derived/action_names.txt spells (MSR Action3D, then UTKinect-Action3D), for the base model's corpus: it learns what
/// the recognizer's labels mean, not just how they are spelt. A renamed label has no description and fails loudly.
/// </summary>
public static class SkeletonActionDescriptions
{
    static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["high arm wave"] = "the person raises one arm above the head and waves it from side to side.",
        ["horizontal arm wave"] = "the person holds one arm out in front at shoulder height and sweeps it from side to side.",
        ["hammer"] = "the person swings one fist down again and again, as if driving a nail with a hammer.",
        ["hand catch"] = "the person reaches out with one hand and closes it, as if catching a ball.",
        ["forward punch"] = "the person punches one fist straight forward from the shoulder.",
        ["high throw"] = "the person raises one arm behind the head and throws forward over the shoulder.",
        ["draw X"] = "the person draws a large X in the air with one hand.",
        ["draw tick"] = "the person draws a tick mark in the air with one hand, a short stroke down and a long stroke up.",
        ["draw circle"] = "the person draws a large circle in the air with one hand.",
        ["hand clap"] = "the person claps both hands together in front of the chest.",
        ["two hand wave"] = "the person raises both arms above the head and waves them from side to side.",
        ["side boxing"] = "the person punches one fist out to the side, like a boxer.",
        ["bend"] = "the person bends forward at the waist, reaching towards the floor, and stands up again.",
        ["forward kick"] = "the person kicks one leg straight forward.",
        ["side kick"] = "the person kicks one leg out to the side.",
        ["jogging"] = "the person jogs on the spot, lifting the knees in turn and swinging the arms.",
        ["tennis swing"] = "the person swings one arm across the body at waist height, like a tennis forehand.",
        ["tennis serve"] = "the person tosses a ball up with one hand and swings the other arm over the head to serve, as in tennis.",
        ["golf swing"] = "the person holds both hands together low and swings them back and through, like a golfer.",
        ["pickup and throw"] = "the person bends down to pick something up from the floor, stands up and throws it.",
        ["walk"] = "the person walks across the room.",
        ["sit_down"] = "the person lowers the body and sits down on a chair.",
        ["stand_up"] = "the person rises from a chair and stands up straight.",
        ["pick_up"] = "the person bends down and picks an object up from the floor.",
        ["carry"] = "the person walks while holding an object in both hands.",
        ["throw"] = "the person throws an object forward with one arm.",
        ["push"] = "the person pushes an object away from the body with both hands.",
        ["pull"] = "the person pulls an object towards the body with both hands.",
        ["wave_hands"] = "the person raises both hands and waves them from side to side.",
        ["clap_hands"] = "the person claps both hands together several times.",
    };

    /// <summary>The description of <paramref name="action"/>, as its dataset names it.</summary>
    public static string Of(string action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Descriptions.TryGetValue(action, out var description) ? description
            : throw new KeyNotFoundException($"no description for the skeleton action '{action}'; add one to {nameof(SkeletonActionDescriptions)}.");
    }
}
