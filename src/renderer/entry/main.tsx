import '../shared/theme.css';
import '../shared/prompt.css';
import './entry.css';

import { mount } from '../shared/mount.js';
import { EntryWindow } from './EntryWindow.js';

mount(<EntryWindow />);
