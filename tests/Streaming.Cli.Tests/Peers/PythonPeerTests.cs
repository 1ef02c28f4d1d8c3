using Streaming.Cli.Peers;

namespace Streaming.Cli.Tests.Peers;

public class PythonPeerTests
{
    [Fact]
    public void Each_thread_setting_reaches_the_peer_process()
    {
        foreach (var setting in PeerThreading.WaitPolicies)
        {
            var doc = PythonPeer.Run("matmul_peer.py", setting, "1", "1", "8,8,8");
            string expected = setting.Environment.TryGetValue("OMP_WAIT_POLICY", out var policy) ? policy : Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "";
            Assert.Equal(expected, doc["omp_wait_policy"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Fastest_keeps_the_best_value_of_each_metric_and_the_setting_that_gave_it()
    {
        var best = PythonPeer.RunFastest("matmul_peer.py", PeerThreading.WaitPolicies, ["threads"], _ => true, "1", "1", "8,8,8");
        Assert.Equal(1, best["threads"].Value);
        Assert.Contains(best["threads"].Threading, PeerThreading.WaitPolicies);
        Assert.Equal($"torch ({best["threads"].Threading.Name})", best["threads"].Peer("torch"));
    }
}
