using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Tests;

public class KeywordFilterTests
{
    private static TestKit Kit()
    {
        var kit = new TestKit().Add(TestKit.Every("backup", TimeSpan.FromHours(1)) with
        {
            Keywords = new KeywordFilters(["SUCCESS", "done"], ["ERROR", "FAILED"], ["BEGIN"]),
        });
        kit.Ping("backup");
        kit.Take();
        return kit;
    }

    [Fact]
    public void Body_WithFailureAndSuccessKeywords_FailureWins()
    {
        var kit = Kit();

        kit.Ping("backup", body: "SUCCESS: 3 files, ERROR: 1 file");

        Assert.Equal(CheckStatus.Down, kit.Status("backup"));
        Assert.Equal(["backup:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void Body_WithSuccessKeyword_IsSuccess()
    {
        var kit = Kit();
        kit.Ping("backup", PingKind.Fail);

        kit.Ping("backup", body: "all done");

        Assert.Equal(CheckStatus.Up, kit.Status("backup"));
    }

    [Fact]
    public void Body_WithStartKeyword_StartsARun()
    {
        var kit = Kit();

        kit.Ping("backup", body: "BEGIN nightly");

        Assert.True(kit.State("backup").Started);
    }

    [Fact]
    public void Body_WithoutKeywords_IsOnlyALog()
    {
        var kit = Kit();
        var before = kit.State("backup").LastSignalAt;
        kit.Clock.Advance(TimeSpan.FromMinutes(1));

        kit.Ping("backup", body: "just chatting");

        Assert.Contains(kit.Take().Events, e => e.Type == EventTypes.Log);
        Assert.Equal(before, kit.State("backup").LastSignalAt);
        Assert.Equal(CheckStatus.Up, kit.Status("backup"));
    }

    [Fact]
    public void Keywords_AreCaseSensitive()
    {
        var kit = Kit();

        kit.Ping("backup", body: "error? no: SUCCESS");

        Assert.Equal(CheckStatus.Up, kit.Status("backup"));
    }

    [Fact]
    public void ExitStatus_OverridesKeywords()
    {
        var kit = Kit();

        kit.Ping("backup", body: "ERROR in log but exited fine", exitStatus: 0);

        Assert.Equal(CheckStatus.Up, kit.Status("backup"));
    }

    [Fact]
    public void ExplicitFailPing_IsNotReclassifiedByKeywords()
    {
        var kit = Kit();

        kit.Ping("backup", PingKind.Fail, body: "SUCCESS");

        Assert.Equal(CheckStatus.Down, kit.Status("backup"));
    }
}
