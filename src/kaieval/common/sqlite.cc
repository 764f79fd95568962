#include "kaieval/common/sqlite.h"

#include <fmt/format.h>

#include "kaieval/common/error.h"

namespace kaieval {

static void Check(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  throw Error(ExitCode::kInternal,
              fmt::format("sqlite: {}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

Database::Database(const std::string& path, Sync sync) : path_(path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError(fmt::format("{}: cannot open database: {}", path, msg));
  }
  sqlite3_busy_timeout(db_, 10000);
  Exec("PRAGMA journal_mode=WAL");
  switch (sync) {
    case Sync::kOff: Exec("PRAGMA synchronous=OFF"); break;
    case Sync::kNormal: Exec("PRAGMA synchronous=NORMAL"); break;
    case Sync::kFull: Exec("PRAGMA synchronous=FULL"); break;
  }
}

Database::~Database() { sqlite3_close_v2(db_); }

void Database::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string owned(sql);
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw Error(ExitCode::kInternal, fmt::format("sqlite: {}: {}", path_, msg));
  }
}

Statement Database::Prepare(std::string_view sql) { return Statement(*this, sql); }

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  Check(db.handle(),
        sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr),
        "prepare");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::Bind(int index, std::string_view text) {
  Check(db_->handle(),
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT),
        "bind");
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  Check(db_->handle(), sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  Check(db_->handle(), sqlite3_bind_double(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  Check(db_->handle(),
        sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                          SQLITE_TRANSIENT),
        "bind");
  return *this;
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  Check(db_->handle(), rc, "step");
  return rc == SQLITE_ROW;
}

void Statement::Run() {
  while (Step()) {
  }
  Reset();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::ColumnText(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace kaieval
