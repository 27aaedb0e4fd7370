#include "common/mutex.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace pimsim {
namespace {

// Under --config=tsan this also checks that TSan sees the locks: an unseen
// lock would make every increment a reported race.
TEST(MutexTest, MutexLockSerializesWriters) {
  Mutex mu;
  int64_t count = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        MutexLock lock(&mu);
        ++count;
      }
    });
  }
  for (auto& t : threads) t.join();
  MutexLock lock(&mu);
  EXPECT_EQ(count, 40'000);
}

TEST(SharedMutexTest, WriterMutexLockSerializesWriters) {
  SharedMutex mu;
  int64_t count = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        WriterMutexLock lock(&mu);
        ++count;
      }
    });
  }
  for (auto& t : threads) t.join();
  ReaderMutexLock lock(&mu);
  EXPECT_EQ(count, 40'000);
}

TEST(SharedMutexTest, ReadersShareTheLock) {
  SharedMutex mu;
  ReaderMutexLock held(&mu);
  // Another thread gets a shared lock while this one holds one; were readers
  // exclusive, it would wait forever (and the test time out).
  std::thread other([&] { ReaderMutexLock also(&mu); });
  other.join();
}

TEST(SharedMutexTest, AWaitingWriterHoldsOffNewReaders) {
  SharedMutex mu;
  mu.ReaderLock();
  std::atomic<bool> written{false};
  std::thread writer([&] {
    WriterMutexLock lock(&mu);
    written = true;
  });
  // Once the writer waits for the reader, a new reader must wait as well. A
  // reader-preferring lock would keep admitting readers until the deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool held_off = false;
  while (!held_off && std::chrono::steady_clock::now() < deadline) {
    if (mu.ReaderTryLock()) {
      mu.ReaderUnlock();
      std::this_thread::yield();
    } else {
      held_off = true;
    }
  }
  EXPECT_TRUE(held_off);
  EXPECT_FALSE(written);
  mu.ReaderUnlock();
  writer.join();
  EXPECT_TRUE(written);
}

}  // namespace
}  // namespace pimsim
