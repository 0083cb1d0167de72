/*
 * avatar: the initials avatar of a user, made from the display name and
 * the id (no uploads, nothing from other hosts).  Pure; unit-tested in
 * tests/unit/test_avatar.c.
 */
#ifndef MAKERSPACE_AVATAR_H
#define MAKERSPACE_AVATAR_H

#include <stddef.h>
#include <stdint.h>

/* Colour classes "tone-0" .. "tone-<AVATAR_TONES - 1>" (app.css). */
#define AVATAR_TONES		8
/* Two characters of up to 4 bytes and the NUL. */
#define AVATAR_INITIALS_MAX	9

size_t	 avatar_initials(const char *, char *, size_t);
int	 avatar_tone(int64_t);

#endif
