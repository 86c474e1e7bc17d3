// whatsapp-web.js pulls in puppeteer, whose install would download Chrome (offline here: the whole
// install fails). The bot drives Debian's Chromium instead (CHROMIUM_PATH, default /usr/bin/chromium).
module.exports = { skipDownload: true };
