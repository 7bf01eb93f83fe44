// Signal flags and the step watchdog (see csignals.h).
#include "csignals.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t preemption_signal = 0;

static void on_preemption(int sig) { preemption_signal = sig; }

void csig_install_preemption_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_preemption;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int csig_preemption_signal(void) { return preemption_signal; }

void csig_raise_usr1(void) { raise(SIGUSR1); }

static atomic_long beat_epoch, beat_step;
static _Atomic double beat_time;
static atomic_int paused = 1;
static double watchdog_timeout;
static int watchdog_rank;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *watch(void *unused) {
    (void)unused;
    for (;;) {
        usleep(200000);
        if (atomic_load(&paused)) continue;
        double idle = now() - atomic_load(&beat_time);
        if (idle > watchdog_timeout) {
            fprintf(stderr,
                    "rank %d: no progress for %.0f s in epoch %ld, step %ld (--step-timeout %.0f): "
                    "a rank is stuck in a collective or dead; ending the job\n",
                    watchdog_rank, idle, atomic_load(&beat_epoch) + 1, atomic_load(&beat_step),
                    watchdog_timeout);
            fflush(stderr);
            _exit(5);
        }
    }
    return NULL;
}

void csig_watchdog_start(double timeout_seconds, int rank) {
    watchdog_timeout = timeout_seconds;
    watchdog_rank = rank;
    atomic_store(&beat_time, now());
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attr, watch, NULL);
    pthread_attr_destroy(&attr);
}

void csig_watchdog_beat(long epoch, long step) {
    atomic_store(&beat_epoch, epoch);
    atomic_store(&beat_step, step);
    atomic_store(&beat_time, now());
    atomic_store(&paused, 0);
}

void csig_watchdog_pause(void) { atomic_store(&paused, 1); }
