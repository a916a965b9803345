#include <string.h>
#include "interrupt.h"

volatile sig_atomic_t user_interrupted;

void interrupt_handler(int sig)
{
	(void)sig;
	user_interrupted = 1;
}

void interrupt_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}
