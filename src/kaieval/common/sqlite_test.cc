#include "kaieval/common/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kaieval/common/error.h"

namespace kaieval {

TEST(Database, RoundTripsTextIntegersAndBlobs) {
  auto path = std::filesystem::temp_directory_path() / "kaieval_sqlite_test.db";
  std::filesystem::remove(path);
  {
    Database db(path.string(), Database::Sync::kNormal);
    db.Exec("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, b BLOB)");
    auto ins = db.Prepare("INSERT INTO t VALUES (?, ?, ?)");
    ins.Bind(1, "모델").Bind(2, int64_t{7}).BindBlob(3, std::string("a\0b", 3));
    ins.Run();
    EXPECT_EQ(db.Changes(), 1);
  }
  Database db(path.string(), Database::Sync::kNormal);
  auto q = db.Prepare("SELECT k, n, b FROM t");
  ASSERT_TRUE(q.Step());
  EXPECT_EQ(q.ColumnText(0), "모델");
  EXPECT_EQ(q.ColumnInt(1), 7);
  EXPECT_EQ(q.ColumnText(2), std::string("a\0b", 3));
  EXPECT_FALSE(q.Step());
  auto mode = db.Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.Step());
  EXPECT_EQ(mode.ColumnText(0), "wal");
}

TEST(Database, UnopenablePathIsAnInputErrorNamingThePath) {
  try {
    Database db("/nonexistent-dir/x.db", Database::Sync::kNormal);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.db"), std::string::npos);
  }
}

}  // namespace kaieval
