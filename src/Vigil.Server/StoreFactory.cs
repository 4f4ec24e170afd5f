using Vigil.Domain.Persistence;
using Vigil.Storage.Sqlite;

namespace Vigil.Server;

/// <summary>Chooses the store from the settings: exactly one; SQLite in the data directory by default.</summary>
internal static class StoreFactory
{
    public static IVigilStore Create(ServerSettings settings, TimeProvider time)
    {
        if (settings.PostgresConnectionString is not null)
        {
            throw new StoreUnavailableException("storage.postgres is not available in this version yet; use storage.sqlite (the default)");
        }

        return new SqliteStore(settings.EffectiveSqlitePath, time);
    }
}
