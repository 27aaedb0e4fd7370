// Mutex and SharedMutex: the locks that guard the mock's shared state, with
// absl::Mutex's shape and its thread-safety annotations, over pthread locks.
//
// Why not absl::Mutex: Debian 12's Abseil is not built with ThreadSanitizer,
// so TSan cannot see an absl::Mutex being taken and released and reports
// every access it guards as a race. Suppressions cannot help, because the
// reported accesses are in the code that holds the lock, with no Abseil frame
// in either stack. pthread locks are intercepted by every sanitizer, so the
// same code is checked exactly under --config=tsan, whose lock-order checks
// also stand in for absl::Mutex's deadlock detection (on in Debian's build).
//
// The classes are capabilities in the sense of clang's -Wthread-safety
// (ABSL_GUARDED_BY(mu_), ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_), ...); GCC
// ignores the annotations, which then document what each lock guards.
//
// Mutex is exclusive only. SharedMutex adds shared (reader) locking and
// prefers writers: while a writer waits, new readers wait too, so a stream of
// readers cannot starve an update (glibc's default rwlock, under
// std::shared_mutex, prefers readers). Neither is recursive.
//
// Thread-safety: thread-safe, as locks are.
//
//   mutable Mutex mu_;
//   int64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
//   void Hit() { MutexLock lock(&mu_); ++hits_; }
#ifndef PIMSIM_COMMON_MUTEX_H_
#define PIMSIM_COMMON_MUTEX_H_

#include <pthread.h>

#include <mutex>

#include "absl/base/thread_annotations.h"

namespace pimsim {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class ABSL_LOCKABLE SharedMutex {
 public:
  SharedMutex();
  ~SharedMutex();
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { pthread_rwlock_wrlock(&lock_); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { pthread_rwlock_unlock(&lock_); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { pthread_rwlock_rdlock(&lock_); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { pthread_rwlock_unlock(&lock_); }
  // Takes a shared lock only if that does not wait; true if it was taken.
  bool ReaderTryLock() ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return pthread_rwlock_tryrdlock(&lock_) == 0;
  }

 private:
  pthread_rwlock_t lock_;
};

// Holds `mu` exclusively for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Holds `mu` exclusively for its scope.
class ABSL_SCOPED_LOCKABLE WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~WriterMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// Holds `mu` shared for its scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->ReaderLock();
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

}  // namespace pimsim

#endif  // PIMSIM_COMMON_MUTEX_H_
