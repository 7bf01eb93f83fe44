// Signal flags and a step watchdog for dir-dist, in C because a signal handler
// and a watchdog thread need async-signal-safe, lock-free state that Swift 6's
// strict concurrency cannot express as globals.
#ifndef DIR_DIST_CSIGNALS_H
#define DIR_DIST_CSIGNALS_H

/// Installs handlers for SIGUSR1 and SIGTERM that only record the signal.
void csig_install_preemption_handlers(void);
/// The last preemption signal received (0 if none).
int csig_preemption_signal(void);
/// Raises a preemption signal against this process (tests, fault injection).
void csig_raise_usr1(void);

/// Starts a watchdog thread: if no beat arrives for `timeout_seconds`, it prints
/// "rank R: no progress for T s in epoch E, step S ..." and ends this process with
/// status 5, so that mpirun ends the whole job.
void csig_watchdog_start(double timeout_seconds, int rank);
/// Records progress: the step about to run.
void csig_watchdog_beat(long epoch, long step);
/// Stops checking (evaluation and file writing are not steps).
void csig_watchdog_pause(void);

#endif
