using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

public class DataFreshnessTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private static TestKit Kit()
    {
        var kit = new TestKit().Add(TestKit.Every("publisher", TimeSpan.FromMinutes(1)) with { MaxDataAge = MaxAge });
        kit.Take();
        return kit;
    }

    [Fact]
    public void PingsWithUnchangedDataTs_StayUpWhileDataStaleFiresAtDataTsPlusMaxAge()
    {
        var kit = Kit();
        var dataTs = kit.Now;
        var notifications = new List<Notification>();

        for (var i = 0; i < 30; i++)
        {
            kit.Ping("publisher", dataTs: dataTs);
            notifications.AddRange(kit.Take().Notifications);
            Assert.Equal(CheckStatus.Up, kit.Status("publisher"));
            Assert.Equal(i < 10, notifications.Count == 0);
            kit.Advance(TimeSpan.FromMinutes(1));
        }

        var stale = Assert.Single(notifications);
        Assert.Equal(AlertKind.DataStale, stale.Alert);
        Assert.Equal(Notification.Firing, stale.State);
        Assert.Equal(dataTs + MaxAge, stale.At);
        Assert.Equal(Level.Critical, kit.State("publisher").Level);
    }

    [Fact]
    public void DataStale_NotATickBeforeDataTsPlusMaxAge()
    {
        var kit = new TestKit().Add(TestKit.Every("publisher", TimeSpan.FromHours(1)) with { MaxDataAge = MaxAge });
        var dataTs = kit.Now - TimeSpan.FromMinutes(3);
        kit.Ping("publisher", dataTs: dataTs);

        kit.AdvanceTo(dataTs + MaxAge - TimeSpan.FromTicks(1));
        Assert.Empty(kit.TakeNotifications());
        kit.AdvanceTo(dataTs + MaxAge);

        Assert.Equal(["publisher:data_stale:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void FreshDataTs_ResolvesDataStale()
    {
        var kit = Kit();
        kit.Ping("publisher", dataTs: kit.Now);
        kit.Advance(MaxAge);
        kit.Ping("publisher");
        kit.Take();

        var fresh = kit.Now - TimeSpan.FromSeconds(5);
        kit.Ping("publisher", dataTs: fresh);

        Assert.Equal(["publisher:data_stale:resolved"], kit.TakeNotifications());
        Assert.Equal(Level.Ok, kit.State("publisher").Level);

        // The fresh data ages in turn.
        for (var t = kit.Now; t < fresh + MaxAge; t += TimeSpan.FromSeconds(50))
        {
            kit.AdvanceTo(t);
            kit.Ping("publisher");
        }

        Assert.Empty(kit.TakeNotifications());
        kit.AdvanceTo(fresh + MaxAge);
        Assert.Equal(["publisher:data_stale:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void OlderDataTs_DoesNotMoveDataBackwards()
    {
        var kit = Kit();
        var fresh = kit.Now;
        kit.Ping("publisher", dataTs: fresh);

        kit.Ping("publisher", dataTs: fresh - TimeSpan.FromHours(1));

        Assert.Equal(fresh, kit.State("publisher").DataTs);
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void LivenessAndData_AreIndependent_DeadPublisherWithFreshDataGoesDown()
    {
        var kit = Kit();
        kit.Ping("publisher", dataTs: kit.Now);

        kit.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(CheckStatus.Down, kit.Status("publisher"));
        Assert.Equal(["publisher:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void DataTsMoreThan5sAhead_RecordsClientClockAhead()
    {
        var kit = Kit();

        kit.Ping("publisher", dataTs: kit.Now + TimeSpan.FromSeconds(6));

        var ahead = Assert.Single(kit.Take().Events, e => e.Type == EventTypes.ClientClockAhead);
        Assert.Equal("publisher", ahead.Check);
    }

    [Fact]
    public void DataTsAtMost5sAhead_IsTolerated()
    {
        var kit = Kit();

        kit.Ping("publisher", dataTs: kit.Now + TimeSpan.FromSeconds(5));

        Assert.DoesNotContain(kit.Take().Events, e => e.Type == EventTypes.ClientClockAhead);
    }

    [Fact]
    public void WithoutMaxDataAge_DataTsNeverAlerts()
    {
        var kit = new TestKit().Add(TestKit.Every("job", TimeSpan.FromMinutes(1)));
        for (var i = 0; i < 100; i++)
        {
            kit.Ping("job", dataTs: TestKit.Epoch);
            kit.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Empty(kit.TakeNotifications());
    }
}
