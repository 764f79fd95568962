// A thin RAII wrapper over SQLite: one Database per file, prepared Statements bound by index.
// Used by the response cache now and by the evidence store later. Not thread-safe: one
// Database per thread, or guard it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kaieval {

class Statement;

class Database {
 public:
  enum class Sync { kOff, kNormal, kFull };

  // Opens (creating if needed) the file in WAL mode. Throws InputError naming the path.
  Database(const std::string& path, Sync sync);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void Exec(std::string_view sql);
  Statement Prepare(std::string_view sql);
  int64_t Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding is 1-based, as in SQLite.
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& BindBlob(int index, std::string_view bytes);

  // Steps once: true while a row is available.
  bool Step();
  // Steps to completion and resets, for statements without rows.
  void Run();
  void Reset();

  std::string ColumnText(int column) const;
  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace kaieval
