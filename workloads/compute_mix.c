#include "compute_mix.h"

#define MIX_SEED 0x2545f4914f6cdd1dull

static uint32_t next32(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*x >> 32);
}

/* Merge sort of a singly linked list by key: pointer chasing and unpredictable
 * branches, CoreMark's list benchmark's shape. */
static struct mix_node *merge_sort(struct mix_node *head)
{
	if (!head || !head->next)
		return head;
	struct mix_node *slow = head, *fast = head->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct mix_node *right = slow->next;
	slow->next = 0;
	struct mix_node *l = merge_sort(head), *r = merge_sort(right), dummy, *t = &dummy;
	while (l && r) {
		if (l->key <= r->key) {
			t->next = l;
			l = l->next;
		} else {
			t->next = r;
			r = r->next;
		}
		t = t->next;
	}
	t->next = l ? l : r;
	return dummy.next;
}

/* A scanner over bytes: digits, words, punctuation and their transitions. */
enum scan_state { S_START, S_DIGIT, S_WORD, S_PUNCT, S_COUNT };

static uint32_t scan(const uint8_t *p, int n)
{
	uint32_t trans[S_COUNT] = { 0 };
	enum scan_state st = S_START;
	for (int k = 0; k < n; k++) {
		uint8_t ch = p[k];
		enum scan_state next;
		if (ch >= '0' && ch <= '9')
			next = S_DIGIT;
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
			next = S_WORD;
		else if (ch == ' ')
			next = S_START;
		else
			next = S_PUNCT;
		switch (st) {
		case S_START: trans[next]++; break;
		case S_DIGIT: trans[S_DIGIT] += next != S_DIGIT; break;
		case S_WORD: trans[S_WORD] += next == S_PUNCT ? 2 : next != S_WORD; break;
		default: trans[S_PUNCT] += next; break;
		}
		st = next;
	}
	return trans[0] ^ trans[1] << 8 ^ trans[2] << 16 ^ trans[3] << 24;
}

static uint16_t crc16(uint16_t crc, uint32_t v)
{
	for (int b = 0; b < 32; b++, v >>= 1) {
		uint16_t x = (uint16_t)((crc ^ v) & 1);
		crc >>= 1;
		if (x)
			crc ^= 0xa001;
	}
	return crc;
}

void mix_restart(struct mix_state *s, uint64_t seed)
{
	s->seed = seed;
	s->acc = 0;
}

void mix_pass(struct mix_state *s)
{
	uint64_t x = s->seed;
	for (int k = 0; k < MIX_NODES; k++) {
		s->nodes[k].key = next32(&x) & 0xffff;
		s->nodes[k].data = next32(&x);
		s->nodes[k].next = k + 1 < MIX_NODES ? &s->nodes[k + 1] : 0;
	}
	for (int i = 0; i < MIX_N; i++)
		for (int j = 0; j < MIX_N; j++) {
			s->a[i][j] = (int32_t)(next32(&x) % 64) - 32;
			s->b[i][j] = (int32_t)(next32(&x) % 64) - 32;
		}
	static const char alphabet[] = "0123456789 abcdefghijklmnopqrstuvwxyz ABC,.;:!?- ";
	for (int k = 0; k < MIX_TEXT; k++)
		s->text[k] = (uint8_t)alphabet[next32(&x) % (sizeof(alphabet) - 1)];
	s->seed = x;

	uint16_t crc = 0;
	struct mix_node *head = merge_sort(&s->nodes[0]);
	uint32_t walked = 0, prev = 0;
	for (struct mix_node *n = head; n; n = n->next) {
		walked += n->data ^ (n->key - prev);
		prev = n->key;
	}
	crc = crc16(crc, walked);
	for (int i = 0; i < MIX_N; i++)
		for (int j = 0; j < MIX_N; j++) {
			int32_t sum = 0;
			for (int k = 0; k < MIX_N; k++)
				sum += s->a[i][k] * s->b[k][j];
			s->c[i][j] = sum;
			crc = crc16(crc, (uint32_t)sum);
		}
	crc = crc16(crc, scan(s->text, MIX_TEXT));
	s->acc = ((s->acc << 11) | (s->acc >> 53)) ^ crc ^ (uint64_t)walked << 16;
}

uint64_t mix_checksum(struct mix_state *s)
{
	mix_restart(s, MIX_SEED);
	for (int k = 0; k < MIX_CHECK_PASSES; k++)
		mix_pass(s);
	return s->acc;
}
