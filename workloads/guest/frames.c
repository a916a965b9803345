/* Page frames: handed out upwards from the end of the image, and taken back on a list
 * threaded through each free frame's first word. */
#include "kernel.h"

static uintptr_t next_frame, frames_end, free_frames;

void frames_init(uintptr_t start, uint64_t end)
{
	next_frame = start;
	frames_end = (uintptr_t)(end & ~(PAGE_SIZE - 1));
}

uintptr_t frame_alloc(void)
{
	uintptr_t f = free_frames;
	if (f) {
		free_frames = *(uintptr_t *)f;
	} else {
		if (next_frame + PAGE_SIZE > frames_end)
			panic("out of guest memory for page frames");
		f = next_frame;
		next_frame += PAGE_SIZE;
	}
	memset((void *)f, 0, PAGE_SIZE);
	return f;
}

void frame_free(uintptr_t f)
{
	*(uintptr_t *)f = free_frames;
	free_frames = f;
}
