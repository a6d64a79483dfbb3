using MixpanelData.Storage;

namespace MixpanelData.Tests.Storage;

/// <summary>
/// The store's connection over DuckDB.NET: the CLR types and DuckDB type names results come back with, row caps,
/// parameters, multi-statement scripts, DuckDB's error categories, interrupts from another thread and the sandbox
/// (every store connection is opened through <see cref="StoreDatabase"/>).
/// </summary>
public sealed class StoreConnectionTests
{
    private StoreDatabase _database = null!;
    private StoreConnection _connection = null!;

    [SetUp]
    public void SetUp()
    {
        _database = StoreDatabase.Acquire(null);
        _connection = _database.Connect();
    }

    [TearDown]
    public void TearDown()
    {
        _connection.Dispose();
        _database.Dispose();
    }

    [Test]
    public void Query_IntegerTypes_RoundTripWithClrTypes()
    {
        var data = _connection.Query(
            "SELECT 1::TINYINT, 2::SMALLINT, 3::INTEGER, 4::BIGINT, 5::UTINYINT, 6::USMALLINT, 7::UINTEGER, 18446744073709551615::UBIGINT, " +
            "170141183460469231731687303715884105727::HUGEINT, -9::HUGEINT, 340282366920938463463374607431768211455::UHUGEINT");
        Assert.That(data.Types, Is.EqualTo(new[] { "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT", "HUGEINT", "UHUGEINT" }));
        Assert.That(data.Rows[0], Is.EqualTo(new object[]
        {
            (sbyte)1, (short)2, 3, 4L, (byte)5, (ushort)6, 7u, ulong.MaxValue, Int128.MaxValue, (Int128)(-9), UInt128.MaxValue,
        }));
    }

    [Test]
    public void Query_FloatingAndDecimal_RoundTrip()
    {
        var data = _connection.Query("SELECT 1.5::FLOAT, 2.25::DOUBLE, 12.34::DECIMAL(4,2), -123456789.123::DECIMAL(18,3), 12345678901234567890.12::DECIMAL(38,2), true, false");
        Assert.That(data.Types, Is.EqualTo(new[] { "FLOAT", "DOUBLE", "DECIMAL(4,2)", "DECIMAL(18,3)", "DECIMAL(38,2)", "BOOLEAN", "BOOLEAN" }));
        Assert.That(data.Rows[0], Is.EqualTo(new object[] { 1.5f, 2.25d, 12.34m, -123456789.123m, 12345678901234567890.12m, true, false }));
    }

    [Test]
    public void Query_Strings_InlineAndPointerLayoutsAndJson()
    {
        var data = _connection.Query("SELECT 'short', 'exactly12chr', 'a string longer than twelve bytes ✓', '', '{\"a\": 1}'::JSON, 'abc'::BLOB");
        // DuckDB.NET's reader does not expose type aliases: a JSON column is named by its storage type.
        Assert.That(data.Types, Is.EqualTo(new[] { "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BLOB" }));
        Assert.That(data.Rows[0][..5], Is.EqualTo(new object[] { "short", "exactly12chr", "a string longer than twelve bytes ✓", "", "{\"a\": 1}" }));
        Assert.That(data.Rows[0][5], Is.EqualTo(new byte[] { 0x61, 0x62, 0x63 }));
    }

    [Test]
    public void Query_DatesAndTimes_RoundTripAsUtc()
    {
        var data = _connection.Query(
            "SELECT DATE '2024-02-29', TIMESTAMP '2024-03-01 12:34:56.789012', TIMESTAMPTZ '2024-03-01 12:00:00+00', TIME '23:59:58', " +
            "TIMESTAMP_S '1970-01-02 00:00:00', INTERVAL 1 MONTH + INTERVAL 2 DAY + INTERVAL 3 SECOND, '7c9e6679-7425-40de-944b-e07fc1f90ae7'::UUID");
        Assert.That(data.Rows[0][0], Is.EqualTo(new DateOnly(2024, 2, 29)));
        var timestamp = (DateTime)data.Rows[0][1]!;
        Assert.That(timestamp, Is.EqualTo(new DateTime(2024, 3, 1, 12, 34, 56, DateTimeKind.Utc).AddTicks(7890120)));
        Assert.That(timestamp.Kind, Is.EqualTo(DateTimeKind.Utc));
        Assert.That(data.Rows[0][2], Is.EqualTo(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.That(data.Rows[0][3], Is.EqualTo(new TimeOnly(23, 59, 58)));
        Assert.That(data.Rows[0][4], Is.EqualTo(new DateTime(1970, 1, 2, 0, 0, 0, DateTimeKind.Utc)));
        Assert.That(data.Rows[0][5], Is.EqualTo(new StoreInterval(1, 2, 3_000_000)));
        Assert.That(data.Rows[0][6], Is.EqualTo(Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7")));
    }

    [Test]
    public void Query_NullsOfEveryKind_AreNull()
    {
        var data = _connection.Query(
            "SELECT NULL::INTEGER, NULL::VARCHAR, NULL::TIMESTAMP, NULL::DECIMAL(10,2), NULL::INTEGER[], NULL::STRUCT(a INTEGER), NULL, NULL::JSON " +
            "UNION ALL SELECT 1, 'x', TIMESTAMP '2020-01-01', 1.5, [1], {'a': 1}, NULL, '1'");
        Assert.That(data.Rows, Has.Count.EqualTo(2));
        var nullRow = data.Rows.Single(r => r[0] is null);
        Assert.That(nullRow, Is.All.Null);
        var valueRow = data.Rows.Single(r => r[0] is not null);
        Assert.That(valueRow[0], Is.EqualTo(1));
        Assert.That(valueRow[6], Is.Null);
    }

    [Test]
    public void Query_ListsStructsAndMaps_BecomeReadOnlyCollections()
    {
        var data = _connection.Query(
            "SELECT [1, NULL, 3], [['a'], [], ['b', 'c']], {'name': 'x', 'n': 2, 'tags': ['t1']}, [{'k': 1}, {'k': NULL}], MAP {'a': 1, 'b': 2}, ['x', 'y']::VARCHAR[2]");
        Assert.That(data.Types, Is.EqualTo(new[]
        {
            // DuckDB.NET's reader exposes neither STRUCT members nor ARRAY sizes.
            "INTEGER[]", "VARCHAR[][]", "STRUCT", "STRUCT[]", "MAP(VARCHAR, INTEGER)", "VARCHAR[]",
        }));
        var row = data.Rows[0];
        Assert.That(row[0], Is.EqualTo(new object?[] { 1, null, 3 }));
        Assert.That(row[1], Is.EqualTo(new object?[] { new object?[] { "a" }, Array.Empty<object?>(), new object?[] { "b", "c" } }));
        var record = (IReadOnlyDictionary<string, object?>)row[2]!;
        Assert.That(record["name"], Is.EqualTo("x"));
        Assert.That(record["n"], Is.EqualTo(2));
        Assert.That(record["tags"], Is.EqualTo(new object?[] { "t1" }));
        var list = (IReadOnlyList<object?>)row[3]!;
        Assert.That(((IReadOnlyDictionary<string, object?>)list[0]!)["k"], Is.EqualTo(1));
        Assert.That(((IReadOnlyDictionary<string, object?>)list[1]!)["k"], Is.Null);
        var map = (IReadOnlyDictionary<string, object?>)row[4]!;
        Assert.That(map["a"], Is.EqualTo(1));
        Assert.That(map["b"], Is.EqualTo(2));
        Assert.That(row[5], Is.EqualTo(new object?[] { "x", "y" }));
    }

    [Test]
    public void Query_ManyChunks_ReadsEveryRowAndHonoursTheCap()
    {
        var all = _connection.Query("SELECT i, i::VARCHAR FROM range(10000) t(i)");
        Assert.That(all.Rows, Has.Count.EqualTo(10000));
        Assert.That(all.Rows[9999][0], Is.EqualTo(9999L));
        Assert.That(all.Rows[9999][1], Is.EqualTo("9999"));
        Assert.That(all.Truncated, Is.False);

        var capped = _connection.Query("SELECT i FROM range(10000) t(i)", maxRows: 5);
        Assert.That(capped.Rows, Has.Count.EqualTo(5));
        Assert.That(capped.Truncated, Is.True);
    }

    [Test]
    public void Query_TypedParameters_AreBound()
    {
        var data = _connection.Query(
            "SELECT $1::INTEGER + 1, $2 || '!', $3::TIMESTAMP, $4::DATE, $5::BOOLEAN, $6::DOUBLE * 2, $7 IS NULL, $8::DECIMAL(10,2)",
            [41, "hi", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc), new DateOnly(2024, 5, 6), true, 1.25, null, 3.5m]);
        Assert.That(data.Rows[0], Is.EqualTo(new object[]
        {
            42, "hi!", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc), new DateOnly(2024, 5, 6), true, 2.5, true, 3.5m,
        }));
    }

    [Test]
    public void Query_MultipleStatements_ReturnsTheLastResult()
    {
        var data = _connection.Query("CREATE TABLE t AS SELECT 1 AS a; INSERT INTO t VALUES (2); SELECT sum(a) AS total FROM t");
        Assert.That(data.Columns, Is.EqualTo(new[] { "total" }));
        Assert.That(data.Rows[0][0], Is.EqualTo((Int128)3));
    }

    [TestCase("SELEC 1", "Parser")]
    [TestCase("SELECT * FROM no_such_table", "Catalog")]
    [TestCase("SELECT 1 / 0::INTEGER + 'x'::INTEGER", "Conversion")]
    public void Query_BadSql_ThrowsLocalStoreExceptionWithDuckDbErrorType(string sql, string errorType)
    {
        var error = Assert.Throws<LocalStoreException>(() => _connection.Query(sql))!;
        Assert.That(error.ErrorType, Is.EqualTo(errorType));
        Assert.That(error.Code, Is.EqualTo("local_store"));
    }

    [Test]
    public void Execute_RuntimeError_CarriesDuckDbErrorType()
    {
        _connection.Execute("CREATE TABLE u (id INTEGER PRIMARY KEY)");
        _connection.Execute("INSERT INTO u VALUES (1)");
        var error = Assert.Throws<LocalStoreException>(() => _connection.Execute("INSERT INTO u VALUES (1)"))!;
        Assert.That(error.ErrorType, Is.EqualTo("Constraint"));
    }

    [Test]
    public void Interrupt_FromAnotherThread_StopsALongQuery()
    {
        using var timer = new Timer(_ => _connection.Interrupt(), null, 200, Timeout.Infinite);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<LocalStoreException>(() => _connection.Query("SELECT count(*) FROM range(100000000) a, range(100000000) b"))!;
        Assert.That(error.ErrorType, Is.EqualTo("Interrupt"));
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        Assert.That(_connection.Scalar("SELECT 42"), Is.EqualTo(42), "the connection stays usable after an interrupt");
    }

    [TestCase("SELECT * FROM read_text('/etc/passwd')")]
    [TestCase("COPY (SELECT 1) TO '/tmp/mixpanel-data-escape.csv'")]
    [TestCase("ATTACH '/tmp/mixpanel-data-escape.duckdb' AS other")]
    [TestCase("INSTALL httpfs")]
    [TestCase("LOAD httpfs")]
    [TestCase("SET enable_external_access = true")]
    [TestCase("SET threads = 1")]
    [TestCase("RESET lock_configuration")]
    [TestCase("SELECT * FROM read_csv('https://example.com/x.csv')")]
    public void Query_SandboxEscape_IsRefused(string sql)
    {
        var error = Assert.Throws<LocalStoreException>(() => _connection.Query(sql))!;
        TestContext.Out.WriteLine($"{error.ErrorType}: {error.Message}");
        Assert.That(File.Exists("/tmp/mixpanel-data-escape.csv"), Is.False);
    }

    [Test]
    public void Query_PrivateFolder_IsTheOneFolderTheSandboxAllows()
    {
        var path = Path.Combine(_database.SpoolDirectory, "x.ndjson");
        File.WriteAllText(path, "{\"a\":1}\n{\"a\":2}\n");
        Assert.That(_connection.Scalar("SELECT sum(a) FROM read_ndjson(?)", path), Is.EqualTo((Int128)3));
    }
}
