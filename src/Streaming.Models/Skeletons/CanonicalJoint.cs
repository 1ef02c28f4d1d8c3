namespace Streaming.Models.Skeletons;

/// <summary>
/// The canonical skeleton's joints: the body every layout is converted to (<see cref="LayoutMapping"/>). They are the
/// joints a Kinect v1 tracks, in its order, so that a kinect20 frame is already canonical; layouts with more joints
/// (ntu25's hand tips) drop the rest, layouts with fewer (coco17) derive the missing ones.
/// </summary>
public enum CanonicalJoint
{
    Pelvis,
    Spine,
    ShoulderCenter,
    Head,
    ShoulderLeft,
    ElbowLeft,
    WristLeft,
    HandLeft,
    ShoulderRight,
    ElbowRight,
    WristRight,
    HandRight,
    HipLeft,
    KneeLeft,
    AnkleLeft,
    FootLeft,
    HipRight,
    KneeRight,
    AnkleRight,
    FootRight,
}
