/* The user's Ctrl-C, one flag for the whole process: every engine's run loop ends its guest
 * on it, and the runner stops the run (what finished is kept, the rest marked). */
#ifndef UTIL_INTERRUPT_H
#define UTIL_INTERRUPT_H
#include <signal.h>

extern volatile sig_atomic_t user_interrupted;
/* SIGINT's handler: sets user_interrupted. */
void interrupt_handler(int sig);
/* interrupt_handler on SIGINT, without SA_RESTART (a blocked call returns EINTR). */
void interrupt_install(void);

#endif
