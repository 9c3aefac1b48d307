#pragma once
// The journal's fdatasync off the event loop (the CLI only: the core never
// runs a thread). Measured (bench/README.md, "journal cost"): with the sync
// on the loop, every PUT's wait for its import's record stopped every other
// file's traffic too, and an fdatasync takes 1-20 ms when other processes
// write to the same file system; the batch paid 164 of them in a row.
// Now the loop hands the sync to one worker thread and goes on; the PUTs
// that wait for it are held (BatchClientOptions::may_send) and released
// when it returns (group commit: one sync covers every record written
// before it; the PUTs held meanwhile share the next one).
#include <unistd.h>

#include <asio.hpp>

#include <cerrno>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace upstate_upload {

class JournalSyncer {
 public:
  explicit JournalSyncer(::asio::io_context& io) : io_(io) {}
  JournalSyncer(const JournalSyncer&) = delete;
  JournalSyncer& operator=(const JournalSyncer&) = delete;
  ~JournalSyncer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  // Whether a sync is running (the loop's thread only).
  bool busy() const noexcept { return busy_; }

  // fdatasync(fd) on the worker; `done(0 or errno)` then runs on the loop.
  // One at a time (busy()). The io_context's run() does not return before
  // `done` ran (a work guard is held until it is posted).
  void start(int fd, std::function<void(int error)> done) {
    busy_ = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_.emplace(Job{fd, std::move(done), ::asio::make_work_guard(io_)});
    }
    if (!thread_.joinable()) thread_ = std::thread([this] { work(); });
    wake_.notify_one();
  }

 private:
  struct Job {
    int fd;
    std::function<void(int)> done;
    ::asio::executor_work_guard<::asio::io_context::executor_type> guard;
  };

  void work() {
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || job_.has_value(); });
      if (!job_) return;  // stopped, nothing left to do
      std::optional<Job> job(std::move(job_));
      job_.reset();
      lock.unlock();
      const int error = ::fdatasync(job->fd) == 0 ? 0 : errno;
      ::asio::post(io_, [this, done = std::move(job->done), error] {
        busy_ = false;
        done(error);
      });
      job->guard.reset();
    }
  }

  ::asio::io_context& io_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Job> job_;  // guarded by mutex_
  bool stop_ = false;       // guarded by mutex_
  bool busy_ = false;       // the loop's thread only
};

}  // namespace upstate_upload
