// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/servicemain.h"

int main(int argc, char **argv)
{
    return prc::serviceMain(argc, argv);
}
