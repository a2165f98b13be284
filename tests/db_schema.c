#include <criterion/criterion.h>

#include "support.h"
