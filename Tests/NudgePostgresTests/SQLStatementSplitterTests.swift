import Testing

@testable import NudgePostgres

@Suite struct SQLStatementSplitterTests {
    @Test func splitsAtTopLevelSemicolons() {
        let statements = SQLStatementSplitter.split("CREATE TABLE a (x int);\n\nINSERT INTO a VALUES (1);  ")
        #expect(statements == ["CREATE TABLE a (x int)", "INSERT INTO a VALUES (1)"])
    }

    @Test func keepsQuotedAndCommentedSemicolons() {
        let script = """
            INSERT INTO t VALUES ('a;b', 'it''s;');
            -- trailing; comment
            SELECT "odd;name" FROM t /* block; comment */;
            """
        let statements = SQLStatementSplitter.split(script)
        #expect(statements.count == 2)
        #expect(statements[0] == "INSERT INTO t VALUES ('a;b', 'it''s;')")
        #expect(statements[1].hasSuffix("/* block; comment */"))
    }

    @Test func keepsDollarQuotedBodiesWhole() {
        let script = "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql; SELECT $1;"
        let statements = SQLStatementSplitter.split(script)
        #expect(statements.count == 2)
        #expect(statements[0].contains("RETURN 1; END;"))
        #expect(statements[1] == "SELECT $1")
    }

    @Test func dropsCommentOnlyTail() {
        #expect(SQLStatementSplitter.split("SELECT 1;\n-- done\n") == ["SELECT 1"])
    }
}
